// Reconciling the store with the processes that really run: a live session row whose hook is
// gone (killed with SIGKILL, crashed, the machine restarted) is ended with reason "hook lost"
// and a `session.lost` audit event. The broker runs this when it starts and every few seconds,
// for its own node's sessions (cluster.node): another node's hooks are not processes here.
#pragma once

#include <string>
#include <vector>

#include "tandem/store.hpp"

namespace tandem::broker {

// Returns how many sessions it ended; a failing store is logged and retried on the next call.
int end_lost_sessions(Store& store, const std::string& node);

// A starting broker takes over the shares of the previous one (killed or restarted): they stay
// in the store, their participants do not (their connections died), the creators type again.
// Returns the shares, resumed as their hooks re-register; a failing store is logged (none).
std::vector<LiveShare> shares_to_resume(Store& store, const std::string& node);

}  // namespace tandem::broker
