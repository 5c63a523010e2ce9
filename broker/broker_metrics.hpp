// The broker's counters for /metrics (docs/monitoring.md). Plain integers: one thread runs the
// loop, and the metrics listener reads them on that same thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "viewer_outbox.hpp"

namespace tandem::broker {

struct BrokerMetrics {
    std::int64_t started_at = 0;                          // unix time the broker started
    std::uint64_t sessions_registered = 0;                // session hooks that said hello
    std::map<std::string, std::uint64_t> joins;           // admitted joiners, by via (ssh, web)
    std::map<std::string, std::uint64_t> refusals;        // refused joins, by T_ code
    std::map<std::string, std::uint64_t> login_failures;  // refused web logins, by T_ code
    std::map<std::string, std::uint64_t> terminations;    // sessions ended by an operator, by via
    std::uint64_t watches = 0;                            // tandem-admin watch views opened
    std::uint64_t output_bytes = 0;         // terminal output received from session hooks
    std::uint64_t viewer_output_bytes = 0;  // that output fanned out to viewers (before drops)
    std::uint64_t input_bytes = 0;          // controllers' keystrokes passed to session hooks
    OutboxCounters outbox;                  // slow-peer policy, every peer together
};

}  // namespace tandem::broker
