// Reconciling the store with the processes that really run: a live session row whose hook is
// gone (killed with SIGKILL, crashed, the machine restarted) is ended with reason "hook lost"
// and a `session.lost` audit event. The broker runs this when it starts and every few seconds.
#pragma once

#include "tandem/store.hpp"

namespace tandem::broker {

// Returns how many sessions it ended; a failing store is logged and retried on the next call.
int end_lost_sessions(Store& store);

// Shares live in the broker's memory, so a broker that starts knows of none: no live row may
// still show one (shared, controller, participants) from a broker that was killed.
void forget_shares(Store& store);

}  // namespace tandem::broker
