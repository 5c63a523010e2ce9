// `tandem-admin watch SESSION` (docs/monitoring.md): a read-only view of any live session in
// this terminal, through the broker. The session's participants are told an auditor watches;
// the broker audits it. Ctrl-] (or q) stops watching; the view also ends with the session.
#pragma once

#include <string>
#include <vector>

#include "admin_commands.hpp"

namespace tandem::admin {

// Parses the arguments after "watch" (one session id); throws UsageError.
std::string parse_watch(const std::vector<std::string>& args);

// Runs the view until the session ends or the operator stops. Throws AdminError when the
// session is not live or the broker is not running.
void run_watch(const std::string& session, Context& ctx, Store& store, const Config& config);

}  // namespace tandem::admin
