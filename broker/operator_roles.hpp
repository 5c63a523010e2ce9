// Who may do what on the web face's Live sessions and Recordings pages (docs/admin.md, roles):
// admins everything, auditors look (list, watch, play) but change nothing, everyone else none
// of it. The broker asks on every request and WebSocket, reading the user afresh from the store,
// so `tandem-admin user set` and `user disable` act at once.
#pragma once

#include <optional>

#include "tandem/errors.hpp"
#include "tandem/store.hpp"

namespace tandem::broker {

enum class OperatorAction { list_live, watch, list_recordings, play_recording, terminate };

// nullopt when `user` may do `action`; else the code to refuse with: T_209 disabled, T_230
// neither admin nor auditor (or unknown), T_231 an auditor asking to change something.
std::optional<ErrorCode> operator_refusal(const std::optional<User>& user, OperatorAction action);

}  // namespace tandem::broker
