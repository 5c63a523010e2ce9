// A raw client of the broker's Unix socket that speaks the wire protocol by hand
// (docs/broker-protocol.md): lets a test behave like a modified or malicious hook, e.g. a viewer
// that sends keystrokes without holding control, which the broker must drop (rule 6).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "harness/process.hpp"
#include "tandem/frame_codec.hpp"

namespace tandem::test {

class BrokerClient {
  public:
    explicit BrokerClient(const std::string& socket_path);  // throws when it cannot connect
    ~BrokerClient();
    BrokerClient(const BrokerClient&) = delete;
    BrokerClient& operator=(const BrokerClient&) = delete;

    void send(FrameType type, std::string_view payload);
    void send_json(FrameType type, const nlohmann::json& body) { send(type, body.dump()); }

    // The next frame within timeout; nullopt on timeout or when the broker closed the socket.
    std::optional<Frame> next(std::chrono::milliseconds timeout);
    // Skips frames until one of `type` arrives.
    std::optional<Frame> await(FrameType type, std::chrono::milliseconds timeout);
    bool closed() const { return closed_; }

  private:
    int fd_ = -1;
    bool closed_ = false;
    FrameDecoder decoder_{256 * 1024};
};

}  // namespace tandem::test
