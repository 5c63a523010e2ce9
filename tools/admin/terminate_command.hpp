// `tandem-admin terminate SESSION [--reason TEXT]` (docs/monitoring.md): ends a live session for
// its creator and every participant with T_320 and the reason. The order is written to the
// store first (with its audit event), where the session's hook finds it on its next access
// re-check even with the broker down; then the broker is told, so it ends at once.
#pragma once

#include <string>
#include <vector>

#include "admin_commands.hpp"

namespace tandem::admin {

constexpr std::size_t kMaxTerminateReason = 200;

struct TerminateOrder {
    std::string session;  // the session's uuid (tandem-admin sessions lists them)
    std::string reason;
};

// Parses the arguments after "terminate"; throws UsageError.
TerminateOrder parse_terminate(const std::vector<std::string>& args);

// Carries it out; throws AdminError (no such live session, store failure).
void run_terminate(const TerminateOrder& order, Context& ctx, Store& store, const Config& config);

}  // namespace tandem::admin
