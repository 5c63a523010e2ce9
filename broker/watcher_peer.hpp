// `tandem-admin watch` on the broker's Unix socket (role "admin", "cmd": "watch"): an operator's
// read-only view of any live session. It gets the session's snapshot, output and resizes like
// an SSH invitee, under the same slow-peer policy, and nothing it sends reaches the session.
#pragma once

#include <string>

#include "frame_peer.hpp"
#include "session_registry.hpp"

namespace tandem::broker {

class WatcherPeer : public FramePeer, public Viewer {
  public:
    static constexpr std::size_t kQueueBytes = 1024 * 1024;
    static constexpr std::size_t kHardQueueBytes = 4 * kQueueBytes;

    // Starts watching `session_id` as `actor`; a refusal (no such live session) is answered
    // and the connection closed.
    static void begin(Socket socket, FrameDecoder decoder, BrokerContext& ctx,
                      SessionRegistry& registry, const std::string& session_id,
                      const std::string& actor);

    WatcherPeer(Socket socket, FrameDecoder decoder, BrokerContext& ctx);

    void send_output(const std::shared_ptr<const std::string>& bytes) override;
    void send_snapshot(const std::shared_ptr<const std::string>& bytes) override;
    void send_resize(int cols, int rows) override;
    void send_notice(const nlohmann::json&) override {}  // participants' chatter is not shown
    void send_end(const nlohmann::json& end) override;

  private:
    // Anything but a ping closes the view: a watcher has nothing to say.
    void on_frame(Frame&) override { shut("watcher sent a frame"); }
    void on_closed() override;
    void on_resync() override;
    void send_json(FrameType type, const nlohmann::json& body);

    std::weak_ptr<LiveSession> session_;
    unsigned id_ = 0;
};

}  // namespace tandem::broker
