// The write side of one peer of the broker: what is queued for it, what is being written, and
// the slow-peer policy, with no transport inside. Every connection the broker writes to (a
// session hook, an SSH invitee's join hook, a browser) owns one and does only the I/O.
//
// The policy (as tmux drops a slow client's output and redraws it): messages are droppable
// (terminal output and snapshots, which a later snapshot replaces) or not (replies, notices,
// input, resizes, ends). Past the soft limit, or once the oldest queued droppable message has
// waited longer than the age limit, the queued droppable messages are discarded and a resync
// is due: further droppable messages are refused until the queue drains, and then the owner
// sends one fresh snapshot. The byte limit bounds memory; the age limit bounds how far behind
// the host a viewer's screen can be: at 1 MB/s a megabyte of queue is a second of lag, while a
// repaint is a screenful, so a peer that cannot keep up is shown the present instead of a
// growing past (and costs the broker a screenful instead of the stream). A non-droppable message
// past the hard limit means the peer does not read at all: the owner closes it. The message being
// written is pinned: nothing that happens to the queue moves or frees it while the transport holds
// pointers into it.
//
// A peer that is behind gets its queued terminal output in one message rather than one per
// chunk the host sent: with a thousand browsers, a frame, a TLS record and a send per chunk per
// browser was what bounded fan-out (docs/benchmarks.md).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

namespace tandem::broker {

struct OutboxMessage {
    using Clock = std::chrono::steady_clock;
    int kind = 0;  // the transport's tag (a frame type, a WebSocket message kind)
    std::shared_ptr<const std::string> payload;
    bool droppable = false;
    // Terminal output: consecutive queued ones of the same kind may go out as one message.
    bool mergeable = false;
    std::size_t overhead = 0;       // bytes the transport adds (a frame header); counted in limits
    Clock::time_point queued_at{};  // set by push()
    std::size_t size() const { return payload->size() + overhead; }
};

// What the outbox policy did, summed over every outbox that shares it (the broker's /metrics).
struct OutboxCounters {
    std::uint64_t drops = 0;      // times queued output was discarded (a resync became due)
    std::uint64_t resyncs = 0;    // fresh snapshots asked for once a dropping peer drained
    std::uint64_t overflows = 0;  // peers past the hard limit (then closed by their owner)
};

class ViewerOutbox {
  public:
    enum class Push {
        queued,      // accepted
        dropped,     // droppable and refused: a resync is (now) due
        overflowed,  // not droppable and past the hard limit: the peer does not read
        closed,      // after close(): nothing is accepted
    };

    using Clock = OutboxMessage::Clock;

    static constexpr Clock::duration kNoAgeLimit = Clock::duration::max();

    // max_age: how long droppable output may wait in the queue before a repaint replaces it
    // (broker.viewer_max_lag). Output waits here only once the peer's socket buffer is full or
    // the broker is saturated, so a peer that keeps up never meets it.
    ViewerOutbox(std::size_t soft_limit, std::size_t hard_limit, OutboxCounters* counters = nullptr,
                 Clock::duration max_age = kNoAgeLimit)
        : soft_limit_(soft_limit),
          hard_limit_(hard_limit),
          max_age_(max_age),
          counters_(counters) {}

    Push push(OutboxMessage message, Clock::time_point now = Clock::now());

    // Most bytes one merged message carries (below every transport's frame limit).
    static constexpr std::size_t kMaxMergedBytes = 64 * 1024;

    // The next message to write, pinned until write_done(); null when one is already being
    // written or nothing is queued. Queued mergeable messages behind it are merged into it.
    const OutboxMessage* start_write();
    void write_done();
    bool writing() const { return in_flight_.has_value(); }
    bool idle() const { return !in_flight_ && queue_.empty(); }

    // True once, when a resync is due and everything queued has been written: the owner then
    // pushes a fresh snapshot.
    bool take_resync();
    bool resync_due() const { return resync_due_; }

    // Discards queued droppable messages (not the pinned one) without asking for a resync.
    void drop_droppable();
    // Refuses everything from now on and discards the queue (the pinned message stays until its
    // write completes, because the transport still points into it).
    void close();

    std::size_t queued_bytes() const { return queued_bytes_; }  // queue and pinned message
    std::size_t queued_messages() const { return queue_.size() + (in_flight_ ? 1 : 0); }

  private:
    // True when the oldest queued droppable message (not the pinned one) is older than max_age_.
    bool stale(Clock::time_point now) const;

    std::size_t soft_limit_;
    std::size_t hard_limit_;
    Clock::duration max_age_;
    OutboxCounters* counters_;  // may be null
    std::deque<OutboxMessage> queue_;
    std::optional<OutboxMessage> in_flight_;
    std::size_t queued_bytes_ = 0;
    bool resync_due_ = false;
    bool closed_ = false;
};

}  // namespace tandem::broker
