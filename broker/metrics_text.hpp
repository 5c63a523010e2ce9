// The broker's figures in the Prometheus text exposition format (version 0.0.4): the live
// gauges read from the registry at scrape time, the counters from BrokerMetrics. Every metric
// is documented in docs/monitoring.md.
#pragma once

#include <string>

#include "session_registry.hpp"

namespace tandem::broker {

std::string metrics_text(const BrokerMetrics& metrics, const SessionRegistry& registry);

}  // namespace tandem::broker
