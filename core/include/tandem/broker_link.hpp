// The hooks' side of the broker socket (docs/broker-protocol.md). Built for a poll() loop that
// must never wait: the socket is nonblocking, frames to the broker go through a bounded queue,
// and when output would overflow it the output is dropped and a `gap` frame sent once there is
// room again — the session's relay never slows down for the broker. Control frames (hello,
// commands, end) are small and never dropped while connected.
#pragma once

#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "tandem/frame_codec.hpp"
#include "tandem/rate_limited_log.hpp"

namespace tandem {

class BrokerLink {
  public:
    static constexpr std::size_t kMaxPayload = 256 * 1024;
    static constexpr std::size_t kMaxQueuedOutput = 2 * 1024 * 1024;
    static constexpr std::size_t kMaxQueued = 4 * 1024 * 1024;

    // broker_uid: a uid accepted as the broker's besides root and our own (-1 = none).
    explicit BrokerLink(std::string socket_path, int broker_uid = -1)
        : path_(std::move(socket_path)), broker_uid_(broker_uid) {}
    ~BrokerLink();
    BrokerLink(const BrokerLink&) = delete;
    BrokerLink& operator=(const BrokerLink&) = delete;

    // Connects if the broker is there (a Unix socket connect completes or fails at once).
    // Whoever listens on the path must be the broker: a listener owned by any uid but root,
    // ours or broker_uid (SO_PEERCRED) is hung up on before a byte goes either way, and
    // connect() fails as if no broker were there.
    bool connect();
    bool connected() const { return fd_ >= 0; }
    int fd() const { return fd_; }
    // For poll(): POLLIN always while connected, POLLOUT while this is true.
    bool wants_write() const { return !queue_.empty(); }

    // Queues a frame. Output beyond the output bound is dropped (and a gap sent later);
    // anything else beyond the hard bound closes the link (the broker stopped reading).
    void send(FrameType type, std::string_view payload);
    void send_output(std::string_view bytes);
    // After output was dropped: true until resume_with() runs. has_room(): resuming is possible.
    bool gap_pending() const { return gap_pending_; }
    bool has_room() const { return queued_bytes_ <= kMaxQueuedOutput / 2; }
    // Sends a gap frame carrying `replay` (the newest output, which the drop may have eaten;
    // its last kMaxPayload bytes) so the
    // broker can rebuild the screen as it is now.
    void resume_with(std::string_view replay);

    // Call when poll() says so. Both return false when the link closed.
    bool on_readable();
    bool on_writable();
    // Frames received, in order.
    std::optional<Frame> next_frame();
    // Whether a whole frame is already here, waiting for next_frame().
    bool pending_frames() const { return decoder_.has_complete_frame(); }

    void close();
    std::size_t dropped_output_bytes() const { return dropped_bytes_; }

    // Reconnection pacing for callers: true at most once per `interval`.
    bool reconnect_due(std::chrono::steady_clock::time_point now,
                       std::chrono::milliseconds interval);

  private:
    void push(FrameType type, std::string_view payload);
    void push_output(std::string_view bytes);
    bool flush();

    bool peer_is_the_broker(int fd);

    std::string path_;
    int broker_uid_ = -1;
    int fd_ = -1;
    std::deque<std::string> queue_;  // encoded frames
    std::size_t queued_bytes_ = 0;
    std::size_t front_offset_ = 0;  // bytes of queue_.front() already written
    bool gap_pending_ = false;
    std::size_t dropped_bytes_ = 0;
    FrameDecoder decoder_{kMaxPayload};
    std::chrono::steady_clock::time_point last_attempt_{};
    RateLimitedLog refusal_log_{std::chrono::minutes(1)};  // the hook retries every few seconds
};

}  // namespace tandem
