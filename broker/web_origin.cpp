#include "web_origin.hpp"

#include <cctype>

namespace tandem::broker {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool host_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

}  // namespace

std::optional<PublicOrigin> parse_public_origin(std::string_view url) {
    PublicOrigin out;
    // A bare "http" has no "://": without this check the scheme matched and the substr below
    // ran past the end (found by the http_request fuzz target).
    const auto separator = url.find("://");
    if (separator == std::string_view::npos) return std::nullopt;
    const std::string scheme = lower(url.substr(0, separator));
    if (scheme == "https")
        out.tls = true;
    else if (scheme == "http")
        out.tls = false;
    else
        return std::nullopt;
    std::string_view rest = url.substr(scheme.size() + 3);
    rest = rest.substr(0, rest.find_first_of("/?#"));  // the authority ends at path/query/fragment
    if (rest.empty() || rest.size() > 260 || rest.find('@') != std::string_view::npos)
        return std::nullopt;

    std::string host;
    std::string_view port;
    if (rest.front() == '[') {  // IPv6 literal
        const auto close = rest.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        for (char c : rest.substr(1, close - 1))
            if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.')
                return std::nullopt;
        host = lower(rest.substr(0, close + 1));
        rest = rest.substr(close + 1);
        if (!rest.empty() && rest.front() != ':') return std::nullopt;
        if (!rest.empty()) port = rest.substr(1);
        if (host.size() < 3) return std::nullopt;
    } else {
        const auto colon = rest.find(':');
        host = lower(rest.substr(0, colon));
        if (colon != std::string_view::npos) port = rest.substr(colon + 1);
        if (host.empty()) return std::nullopt;
        for (char c : host)
            if (!host_char(c)) return std::nullopt;
    }
    if (!port.empty() || rest.find(':') != std::string_view::npos) {
        if (port.empty() || port.size() > 5) return std::nullopt;
        unsigned value = 0;
        for (char c : port) {
            if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
            value = value * 10 + static_cast<unsigned>(c - '0');
        }
        if (value == 0 || value > 65535) return std::nullopt;
        const unsigned default_port = out.tls ? 443 : 80;
        if (value != default_port) host += ":" + std::to_string(value);
    }
    out.authority = host;
    out.origin = (out.tls ? "https://" : "http://") + host;
    out.websocket = (out.tls ? "wss://" : "ws://") + host;
    return out;
}

}  // namespace tandem::broker
