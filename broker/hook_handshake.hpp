// A new connection on the broker's Unix socket, until its hello: reads the first frame within
// 10 s, validates it, and hands the socket (and any frames that came with the hello) to a
// SessionPeer (a session hook registering its session) or a ViewerPeer (an SSH invitee's join
// hook). Anything else closes the connection without an answer.
#pragma once

#include <array>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

#include "session_registry.hpp"
#include "tandem/frame_codec.hpp"

namespace tandem::broker {

class HookHandshake : public std::enable_shared_from_this<HookHandshake> {
  public:
    using Socket = boost::asio::local::stream_protocol::socket;

    HookHandshake(Socket socket, BrokerContext& ctx, SessionRegistry& registry);
    void start();

  private:
    void read();
    void on_hello(const Frame& frame);
    void answer_preview(const std::string& token, const std::string& user);
    void refuse(const char* why);

    Socket socket_;
    BrokerContext& ctx_;
    SessionRegistry& registry_;
    FrameDecoder decoder_;
    std::array<char, 4096> read_buffer_{};
    boost::asio::steady_timer timer_;
    bool done_ = false;
};

}  // namespace tandem::broker
