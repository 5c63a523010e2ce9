// When the broker parses a session's output into its screen (LiveSession's screen pacing).
//
// libvterm parses 7-60 MB/s; a bulk burst through the relay runs faster, and parsing it as it
// arrives made every session ~30 % slower whether or not anyone watched (docs/benchmarks.md).
// Output is only appended to the ScreenFeed backlog as it comes; the backlog is parsed once the
// output settles (a tick with little output), so interactive sessions keep a parsed screen and
// a join is immediate, while a flood is never parsed at all: its backlog is cut to the newest
// tail (ScreenFeed::kMaxBacklog), which a join or the end of the flood parses, the same screen
// a joiner got before. Viewers never wait for this: their output is fanned out first.
#include <boost/asio/post.hpp>
#include <chrono>

#include "live_session.hpp"

namespace tandem::broker {
namespace {

// A tick with less output than kSettledBytes (160 KB/s) is settled. The tick is long enough
// that a flood, bursty when the machine is busy, does not look settled between two bursts.
constexpr auto kSettleTick = std::chrono::milliseconds(100);
constexpr std::size_t kSettledBytes = 16 * 1024;

}  // namespace

void LiveSession::feed_screen(std::string_view bytes) {
    recent_output_ += bytes.size();
    if (screen_.append(bytes)) arm_settle();
}

void LiveSession::arm_settle() {
    if (settle_armed_) return;
    settle_armed_ = true;
    settle_timer_.expires_after(kSettleTick);
    settle_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (ec || !self) return;
        self->on_settle_tick();
    });
}

void LiveSession::on_settle_tick() {
    settle_armed_ = false;
    const bool flood = recent_output_ >= kSettledBytes;
    recent_output_ = 0;
    if (ended_ || screen_.backlog_bytes() == 0) return;
    if (flood) return arm_settle();
    schedule_parse();
}

void LiveSession::schedule_parse() {
    if (parse_scheduled_) return;
    parse_scheduled_ = true;
    // Slices keep one busy session from starving every other connection on the loop.
    boost::asio::post(ctx_.io, [weak = weak_from_this()] {
        auto self = weak.lock();
        if (!self) return;
        self->parse_scheduled_ = false;
        // A flood started again: stop and let the settle tick decide (unless viewers wait for
        // a repaint after a gap).
        if (!self->resync_after_parse_ && self->recent_output_ >= kSettledBytes)
            return self->arm_settle();
        if (self->screen_.parse_slice()) return self->schedule_parse();
        if (self->resync_after_parse_) {
            // Output was lost before reaching us, so viewers missed it too: repaint them.
            self->resync_after_parse_ = false;
            for (auto& [id, p] : self->participants_) self->send_snapshot(id);
            for (auto& [id, w] : self->watchers_) self->send_watcher_snapshot(id);
        }
    });
}

}  // namespace tandem::broker
