// One connection on the broker's Unix socket after its hello: reads frames and hands them to
// the subclass, writes what the subclass sends through a ViewerOutbox (one write at a time,
// byte-bounded, slow-peer policy in the outbox). The two kinds of peer — a session hook and an
// SSH invitee's join hook — are SessionPeer and ViewerPeer; HookHandshake reads the hello and
// hands the socket to one of them (docs/broker-protocol.md).
#pragma once

#include <array>
#include <boost/asio/local/stream_protocol.hpp>
#include <memory>
#include <string>

#include "broker_context.hpp"
#include "tandem/frame_codec.hpp"
#include "viewer_outbox.hpp"

namespace tandem::broker {

class FramePeer : public std::enable_shared_from_this<FramePeer> {
  public:
    using Socket = boost::asio::local::stream_protocol::socket;
    static constexpr std::size_t kMaxPayload = 256 * 1024;

    FramePeer(Socket socket, FrameDecoder decoder, BrokerContext& ctx, std::size_t soft_limit,
              std::size_t hard_limit);
    virtual ~FramePeer() = default;
    FramePeer(const FramePeer&) = delete;
    FramePeer& operator=(const FramePeer&) = delete;

    // Handles the frames that arrived with the hello, then reads on.
    void start_reading();

  protected:
    virtual void on_frame(Frame& frame) = 0;
    // Once, when the connection is over (shut), whatever the cause.
    virtual void on_closed() = 0;
    // Everything queued has been written and a resync is due: send a fresh snapshot.
    virtual void on_resync() {}

    void send(FrameType type, std::shared_ptr<const std::string> payload, bool droppable);
    void send(FrameType type, const std::string& payload) {
        send(type, std::make_shared<const std::string>(payload), false);
    }
    // Writes what is queued (a reply sent in the same turn included), then closes.
    void close_after_flush();
    void shut(const std::string& why);
    bool closed() const { return closed_; }

    BrokerContext& ctx_;

  private:
    void read();
    // Handles every complete frame received; false when the connection is over.
    bool handle_buffered_frames();
    void write_next();

    Socket socket_;
    FrameDecoder decoder_;
    ViewerOutbox outbox_;
    std::array<char, 64 * 1024> read_buffer_{};
    std::array<char, kFrameHeaderBytes>
        header_{};  // of the message being written (the outbox pins its payload)
    bool close_after_flush_ = false;
    bool closed_ = false;
};

}  // namespace tandem::broker
