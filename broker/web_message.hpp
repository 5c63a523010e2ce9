// A web request and response as the routes see them, free of Beast so the route logic stays
// small and quick to compile; web_http_session converts to and from Beast's messages.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tandem/errors.hpp"

namespace tandem::broker {

inline constexpr const char* kLoginCookie = "tandem_login";

struct WebRequest {
    std::string method;  // "GET", "POST", ...
    std::string path;    // target without the query
    std::string query;   // after '?', without it
    std::string cookie;  // the Cookie header as sent
    std::string content_type;
    std::string body;
    std::string client;  // the client's IP address
    bool websocket_upgrade = false;
};

struct WebResponse {
    unsigned status = 200;
    std::string content_type;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // Location, Set-Cookie, Allow
    bool cacheable = false;  // static assets only; everything else is Cache-Control: no-store
    bool close = false;      // close the connection after this response
};

using Respond = std::function<void(WebResponse)>;

WebResponse json_response(unsigned status, const nlohmann::json& body);
// {"ok":false,"code":"T_NNN","text":"<user_message>"} with this HTTP status.
WebResponse error_response(unsigned status, ErrorCode code);
// A short text/plain answer ("Not found").
WebResponse text_response(unsigned status, std::string text);

// The value of cookie `name` in a Cookie header, or "" (the first one wins, like browsers).
std::string cookie_value(std::string_view header, std::string_view name);

}  // namespace tandem::broker
