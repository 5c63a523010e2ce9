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

namespace tandem {

class BrokerLink {
  public:
    static constexpr std::size_t kMaxPayload = 256 * 1024;
    static constexpr std::size_t kMaxQueuedOutput = 2 * 1024 * 1024;
    static constexpr std::size_t kMaxQueued = 4 * 1024 * 1024;

    explicit BrokerLink(std::string socket_path) : path_(std::move(socket_path)) {}
    ~BrokerLink();
    BrokerLink(const BrokerLink&) = delete;
    BrokerLink& operator=(const BrokerLink&) = delete;

    // Connects if the broker is there (a Unix socket connect completes or fails at once).
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
    // JSON helpers for the small control frames.
    void send_json(FrameType type, const std::string& json_text) { send(type, json_text); }

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

    std::string path_;
    int fd_ = -1;
    std::deque<std::string> queue_;  // encoded frames
    std::size_t queued_bytes_ = 0;
    std::size_t front_offset_ = 0;  // bytes of queue_.front() already written
    bool gap_pending_ = false;
    std::size_t dropped_bytes_ = 0;
    FrameDecoder decoder_{kMaxPayload};
    std::chrono::steady_clock::time_point last_attempt_{};
};

}  // namespace tandem
