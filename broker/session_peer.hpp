// The creator's session hook on the broker's Unix socket, after its hello: registers the live
// session and carries its output, resizes, sharing commands and end into it; carries the
// controller's keystrokes and the notices back to the hook.
#pragma once

#include <optional>
#include <utility>

#include "frame_peer.hpp"
#include "session_registry.hpp"

namespace tandem::broker {

class SessionPeer : public FramePeer, public SessionHook {
  public:
    // Nothing here is dropped; past this the hook has stopped reading.
    static constexpr std::size_t kQueueBytes = 4 * 1024 * 1024;

    static void begin(Socket socket, FrameDecoder decoder, BrokerContext& ctx,
                      SessionRegistry& registry, SessionInfo info);

    SessionPeer(Socket socket, FrameDecoder decoder, BrokerContext& ctx, SessionRegistry& registry,
                SessionInfo info);

    void send_input(const std::string& bytes) override;
    void send_notice(const nlohmann::json& notice) override;
    void send_end(const nlohmann::json& end) override;

  private:
    void on_frame(Frame& frame) override;
    void on_closed() override;
    void on_end(const std::string& payload);

    SessionRegistry& registry_;
    SessionInfo info_;
    // Weak: the registry owns sessions and a session holds its hook.
    std::weak_ptr<LiveSession> session_;
};

// {"cols": C, "rows": R} with both in 1..1000, or nothing.
std::optional<std::pair<int, int>> terminal_size_of(const nlohmann::json& j);

}  // namespace tandem::broker
