// A small HTTP(S) client for the web face's tests, on Boost.Beast: one connection per request,
// TLS verified against the instance's own self-signed certificate, 10 s per operation.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tandem::test {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpReply {
    int status = 0;
    HttpHeaders headers;  // as received, in order
    std::string body;
    std::string after;  // bytes the server sent after the response, until it closed (upgrade())

    // The first header of that name (case-insensitive), "" when absent.
    std::string header(std::string_view name) const;
    std::vector<std::string> all(std::string_view name) const;
    bool has(std::string_view name) const;
    // The body as JSON (discarded when it is not).
    nlohmann::json json() const;
    std::string describe() const;  // for failure messages
};

class WebClient {
  public:
    // ca_file: the server's certificate to trust; "" = plain HTTP.
    WebClient(std::uint16_t port, std::string ca_file);

    HttpReply request(const std::string& method, const std::string& target,
                      const HttpHeaders& headers = {}, const std::string& body = {});
    HttpReply get(const std::string& target, const HttpHeaders& headers = {}) {
        return request("GET", target, headers);
    }
    // A POST with Content-Type application/json.
    HttpReply post_json(const std::string& target, const nlohmann::json& body,
                        HttpHeaders headers = {});

    // A WebSocket upgrade request for target. The reply's `after` holds whatever the server sent
    // after its response, until it closed the connection or `linger` passed.
    HttpReply upgrade(const std::string& target, HttpHeaders headers,
                      std::chrono::milliseconds linger = std::chrono::milliseconds(1500));

    // How long to wait for the reply once the request is sent (10 s unless set): a request
    // the server answers only after queued work (password checks) may need longer.
    void set_reply_timeout(std::chrono::seconds timeout) { reply_timeout_ = timeout; }

  private:
    HttpReply exchange(const std::string& method, const std::string& target,
                       const HttpHeaders& headers, const std::string& body, bool read_after,
                       std::chrono::milliseconds linger);

    std::uint16_t port_;
    std::string ca_file_;
    std::chrono::seconds reply_timeout_{10};
};

// The value of cookie `name` from a reply's Set-Cookie headers ("" when none sets it).
std::string set_cookie_value(const HttpReply& reply, const std::string& name);
// The whole Set-Cookie header that sets `name` (attributes included).
std::string set_cookie_line(const HttpReply& reply, const std::string& name);

}  // namespace tandem::test
