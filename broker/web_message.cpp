#include "web_message.hpp"

#include "refusal.hpp"

namespace tandem::broker {

WebResponse json_response(unsigned status, const nlohmann::json& body) {
    WebResponse r;
    r.status = status;
    r.content_type = "application/json";
    r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return r;
}

WebResponse error_response(unsigned status, ErrorCode code) {
    return json_response(status, refusal(code));
}

WebResponse text_response(unsigned status, std::string text) {
    WebResponse r;
    r.status = status;
    r.content_type = "text/plain; charset=utf-8";
    r.body = std::move(text);
    r.body += "\n";
    return r;
}

std::string cookie_value(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        const auto semi = header.find(';');
        std::string_view pair = header.substr(0, semi);
        header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
        while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t'))
            pair.remove_prefix(1);
        while (!pair.empty() && (pair.back() == ' ' || pair.back() == '\t')) pair.remove_suffix(1);
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
        std::string_view value = pair.substr(eq + 1);
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.substr(1, value.size() - 2);
        return std::string(value);
    }
    return {};
}

}  // namespace tandem::broker
