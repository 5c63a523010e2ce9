// A strict parser of the Prometheus text exposition format (0.0.4), so tests read /metrics the
// way a scraper does: HELP and TYPE once per family and before its samples, a family's samples
// together, valid metric and label names, escaped label values, numeric values, no duplicate
// series, counters never negative. Debian ships no such parser for C++ (nor
// python3-prometheus-client in this environment), hence this one.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace tandem::test {

struct PrometheusFamily {
    std::string type;  // counter, gauge, histogram, summary, untyped
    std::string help;
};

struct PrometheusText {
    std::map<std::string, PrometheusFamily> families;
    // Every sample by its series: `name` or `name{a="x",b="y"}` (labels sorted by name).
    std::map<std::string, double> samples;

    // The sample's value; nullopt when the series is absent.
    std::optional<double> value(const std::string& series) const;
};

// The parsed text, or the first violation (with its line number) in `error`.
std::optional<PrometheusText> parse_prometheus_text(const std::string& text, std::string& error);

}  // namespace tandem::test
