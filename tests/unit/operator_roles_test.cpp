// Who may do what on the Live sessions and Recordings pages (broker/operator_roles.hpp): for
// each action, refused to a plain user, an unknown or disabled one (attack), done for the role
// that may (positive control); an auditor never terminates.
#include <gtest/gtest.h>

#include "operator_roles.hpp"

namespace tandem::broker {
namespace {

User user(bool admin, bool auditor, bool disabled = false) {
    User u;
    u.name = "someone";
    u.is_admin = admin;
    u.is_auditor = auditor;
    u.disabled = disabled;
    return u;
}

constexpr OperatorAction kLooking[] = {OperatorAction::list_live, OperatorAction::watch,
                                       OperatorAction::list_recordings,
                                       OperatorAction::play_recording};

TEST(OperatorRoles, AuditorsLookAdminsDoAllOthersNothing) {
    for (auto action : kLooking) {
        EXPECT_EQ(operator_refusal(user(false, false), action), ErrorCode::T_230_not_an_operator);
        EXPECT_EQ(operator_refusal(std::nullopt, action), ErrorCode::T_230_not_an_operator);
        EXPECT_EQ(operator_refusal(user(false, true), action), std::nullopt);
        EXPECT_EQ(operator_refusal(user(true, false), action), std::nullopt);
    }
}

TEST(OperatorRoles, OnlyAdminsTerminate) {
    const auto t = OperatorAction::terminate;
    EXPECT_EQ(operator_refusal(user(false, false), t), ErrorCode::T_230_not_an_operator);
    EXPECT_EQ(operator_refusal(user(false, true), t), ErrorCode::T_231_admin_only);
    EXPECT_EQ(operator_refusal(user(true, false), t), std::nullopt);
    EXPECT_EQ(operator_refusal(user(true, true), t), std::nullopt);
}

TEST(OperatorRoles, ADisabledUserKeepsNoRole) {
    for (auto action : kLooking) {
        EXPECT_EQ(operator_refusal(user(true, true, true), action), ErrorCode::T_209_user_disabled);
    }
    EXPECT_EQ(operator_refusal(user(true, false, true), OperatorAction::terminate),
              ErrorCode::T_209_user_disabled);
}

}  // namespace
}  // namespace tandem::broker
