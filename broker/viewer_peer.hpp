// An SSH invitee's join hook on the broker's Unix socket, after its hello: joins the share
// named by its invite, then receives the session's snapshot, output, resizes and notices and
// sends its commands and (when it controls) keystrokes. Output it cannot take in time is
// dropped and replaced by a fresh snapshot (ViewerOutbox), so it never slows the session.
#pragma once

#include <string>

#include "frame_peer.hpp"
#include "session_registry.hpp"

namespace tandem::broker {

class ViewerPeer : public FramePeer, public Viewer {
  public:
    static constexpr std::size_t kQueueBytes = 1024 * 1024;          // droppable output
    static constexpr std::size_t kHardQueueBytes = 4 * kQueueBytes;  // the rest

    // Joins with `token`; a refusal is answered and the connection closed.
    static void begin(Socket socket, FrameDecoder decoder, BrokerContext& ctx,
                      SessionRegistry& registry, const std::string& token, JoinRequest request);

    ViewerPeer(Socket socket, FrameDecoder decoder, BrokerContext& ctx);

    void send_output(const std::shared_ptr<const std::string>& bytes) override;
    void send_snapshot(const std::shared_ptr<const std::string>& bytes) override;
    void send_resize(int cols, int rows) override;
    void send_notice(const nlohmann::json& notice) override;
    void send_end(const nlohmann::json& end) override;

  private:
    void on_frame(Frame& frame) override;
    void on_closed() override;
    void on_resync() override;
    void send_json(FrameType type, const nlohmann::json& body);

    // Weak: the session holds its viewers.
    std::weak_ptr<LiveSession> session_;
    ParticipantId participant_;
};

}  // namespace tandem::broker
