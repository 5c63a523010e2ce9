#include "harness/prometheus_text.hpp"

#include <cmath>
#include <cstdlib>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

namespace tandem::test {
namespace {

const std::regex kMetricName(R"([a-zA-Z_:][a-zA-Z0-9_:]*)");
const std::regex kLabelName(R"([a-zA-Z_][a-zA-Z0-9_]*)");

bool parse_value(const std::string& text, double& out) {
    if (text == "+Inf" || text == "Inf") return out = INFINITY, true;
    if (text == "-Inf") return out = -INFINITY, true;
    if (text == "NaN") return out = NAN, true;
    if (text.empty()) return false;
    char* end = nullptr;
    out = std::strtod(text.c_str(), &end);
    return end == text.c_str() + text.size();
}

// `{a="x",b="y"}` from position `at` (just past the name); fills labels, moves `at` past '}'.
bool parse_labels(const std::string& line, std::size_t& at,
                  std::map<std::string, std::string>& labels, std::string& error) {
    ++at;  // '{'
    while (at < line.size() && line[at] != '}') {
        const std::size_t eq = line.find('=', at);
        if (eq == std::string::npos) return error = "label without '='", false;
        const std::string name = line.substr(at, eq - at);
        if (!std::regex_match(name, kLabelName))
            return error = "bad label name '" + name + "'", false;
        if (eq + 1 >= line.size() || line[eq + 1] != '"')
            return error = "label value not quoted", false;
        std::string value;
        std::size_t i = eq + 2;
        for (;; ++i) {
            if (i >= line.size()) return error = "unterminated label value", false;
            if (line[i] == '"') break;
            if (line[i] == '\\') {
                if (++i >= line.size()) return error = "dangling escape", false;
                if (line[i] == 'n')
                    value += '\n';
                else if (line[i] == '\\' || line[i] == '"')
                    value += line[i];
                else
                    return error = "bad escape in label value", false;
                continue;
            }
            value += line[i];
        }
        if (!labels.emplace(name, value).second) return error = "label repeated: " + name, false;
        at = i + 1;
        if (at < line.size() && line[at] == ',')
            ++at;
        else if (at >= line.size() || line[at] != '}')
            return error = "expected ',' or '}'", false;
    }
    if (at >= line.size()) return error = "unterminated label set", false;
    ++at;  // '}'
    return true;
}

// The family a sample name belongs to (histogram and summary samples carry suffixes).
std::string family_of(const std::string& sample, const std::map<std::string, PrometheusFamily>& f) {
    if (f.count(sample)) return sample;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        const std::string s(suffix);
        if (sample.size() > s.size() &&
            sample.compare(sample.size() - s.size(), s.size(), s) == 0) {
            const std::string base = sample.substr(0, sample.size() - s.size());
            auto it = f.find(base);
            if (it != f.end() && (it->second.type == "histogram" || it->second.type == "summary"))
                return base;
        }
    }
    return {};
}

}  // namespace

std::optional<double> PrometheusText::value(const std::string& series) const {
    auto it = samples.find(series);
    if (it == samples.end()) return std::nullopt;
    return it->second;
}

std::optional<PrometheusText> parse_prometheus_text(const std::string& text, std::string& error) {
    PrometheusText out;
    if (text.empty() || text.back() != '\n') {
        error = "the exposition must end with a newline";
        return std::nullopt;
    }
    std::set<std::string> closed;  // families whose samples are over
    std::set<std::string> helped;
    std::string current;  // the family whose samples are being read
    std::istringstream lines(text);
    std::string line;
    int number = 0;
    auto fail = [&](const std::string& why) {
        error = "line " + std::to_string(number) + ": " + why + ": " + line;
        return std::nullopt;
    };
    while (std::getline(lines, line)) {
        ++number;
        if (line.empty()) return fail("empty line");
        if (line[0] == '#') {
            std::istringstream words(line);
            std::string hash, keyword, name;
            words >> hash >> keyword >> name;
            if (hash != "#" || (keyword != "HELP" && keyword != "TYPE")) continue;  // a comment
            if (!std::regex_match(name, kMetricName)) return fail("bad metric name");
            if (closed.count(name) || (current != name && out.samples.count(name)))
                return fail("HELP/TYPE after the family's samples");
            std::string rest;
            std::getline(words, rest);
            if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
            if (keyword == "HELP") {
                if (!helped.insert(name).second) return fail("second HELP");
                out.families[name].help = rest;
            } else {
                static const std::set<std::string> kTypes{"counter", "gauge", "histogram",
                                                          "summary", "untyped"};
                if (!kTypes.count(rest)) return fail("unknown type");
                if (!out.families[name].type.empty()) return fail("second TYPE");
                out.families[name].type = rest;
            }
            if (current != name && !current.empty()) closed.insert(current);
            current = name;
            continue;
        }
        std::size_t at = 0;
        while (at < line.size() && line[at] != '{' && line[at] != ' ') ++at;
        const std::string name = line.substr(0, at);
        if (!std::regex_match(name, kMetricName)) return fail("bad metric name");
        std::map<std::string, std::string> labels;
        if (at < line.size() && line[at] == '{' && !parse_labels(line, at, labels, error))
            return fail(error);
        if (at >= line.size() || line[at] != ' ') return fail("expected a space before the value");
        std::istringstream rest(line.substr(at + 1));
        std::string value_text, timestamp, extra;
        rest >> value_text >> timestamp >> extra;
        double value = 0;
        if (!parse_value(value_text, value)) return fail("bad value");
        if (!timestamp.empty() && timestamp.find_first_not_of("-0123456789") != std::string::npos)
            return fail("bad timestamp");
        if (!extra.empty()) return fail("trailing text");
        const std::string family = family_of(name, out.families);
        if (family.empty() || out.families[family].type.empty())
            return fail("sample without a TYPE line");
        if (family != current) {
            if (closed.count(family)) return fail("family's samples are not together");
            if (!current.empty()) closed.insert(current);
            current = family;
        }
        if (out.families[family].type == "counter" && !(value >= 0))
            return fail("negative counter");
        std::string series = name;
        if (!labels.empty()) {
            series += "{";
            bool first = true;
            for (const auto& [k, v] : labels) {
                series += (first ? "" : ",") + k + "=\"" + v + "\"";
                first = false;
            }
            series += "}";
        }
        if (!out.samples.emplace(series, value).second) return fail("duplicate series");
    }
    return out;
}

}  // namespace tandem::test
