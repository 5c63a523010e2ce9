// tandem-admin on the broker's Unix socket (role "admin", docs/broker-protocol.md): one order
// in the hello, one reply, then the connection closes. The socket admits only root and the
// broker's own user (SO_PEERCRED), the same people who may write the store tandem-admin edits.
#pragma once

#include "frame_peer.hpp"
#include "session_registry.hpp"

namespace tandem::broker {

class AdminPeer : public FramePeer {
  public:
    static constexpr std::size_t kMaxReason = 200;

    // Carries out `hello`'s order ("cmd": "terminate") and answers it.
    static void begin(Socket socket, FrameDecoder decoder, BrokerContext& ctx,
                      SessionRegistry& registry, const nlohmann::json& hello);

    AdminPeer(Socket socket, FrameDecoder decoder, BrokerContext& ctx);

  private:
    void on_frame(Frame&) override { shut("admin connections send nothing after hello"); }
    void on_closed() override {}
};

}  // namespace tandem::broker
