// A browser's WebSocket to the web face's /ws, on Boost.Beast: the upgrade with the headers a
// test gives (cookie, Origin, X-Forwarded-For), then messages read by a background read loop,
// so a test can wait for the next text message or for the server to close, with a deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "harness/https_client.hpp"

namespace tandem::test {

class WebSocketClient {
  public:
    // Connects to 127.0.0.1:port (TLS verified against ca_file; "" = plain) and asks for the
    // upgrade of /ws. Never throws for a refused upgrade: see open() and refusal().
    WebSocketClient(std::uint16_t port, const std::string& ca_file, const HttpHeaders& headers);
    ~WebSocketClient();
    WebSocketClient(WebSocketClient&&) noexcept;
    WebSocketClient& operator=(WebSocketClient&&) noexcept;

    // Whether the server answered 101 and the WebSocket is open (not yet closed).
    bool open() const;
    // The server's answer when it did not upgrade (status 0: no HTTP answer at all).
    const HttpReply& refusal() const;

    void send(const nlohmann::json& message);
    // The next text message, skipping binary ones; nullopt when closed or after the deadline.
    std::optional<nlohmann::json> next_text(std::chrono::milliseconds deadline);

    struct Closed {
        int code = 0;        // the close frame's code (0 when the connection just dropped)
        std::string reason;  // the close frame's reason
    };
    // Waits until the server closes the WebSocket; nullopt when it is still open at the
    // deadline (it then stays usable).
    std::optional<Closed> wait_closed(std::chrono::milliseconds deadline);

    // Terminal bytes (binary messages, tag stripped) received so far; waits until they contain
    // needle, or the deadline or the end.
    bool wait_terminal(const std::string& needle, std::chrono::milliseconds deadline);
    const std::string& terminal() const;

    // Closes from this end (a close frame, then waits briefly for the server's).
    void close();

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace tandem::test
