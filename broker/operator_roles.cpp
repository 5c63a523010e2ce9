#include "operator_roles.hpp"

namespace tandem::broker {

std::optional<ErrorCode> operator_refusal(const std::optional<User>& user, OperatorAction action) {
    if (!user) return ErrorCode::T_230_not_an_operator;
    if (user->disabled) return ErrorCode::T_209_user_disabled;
    if (user->is_admin) return std::nullopt;
    if (!user->is_auditor) return ErrorCode::T_230_not_an_operator;
    if (action == OperatorAction::terminate) return ErrorCode::T_231_admin_only;
    return std::nullopt;
}

}  // namespace tandem::broker
