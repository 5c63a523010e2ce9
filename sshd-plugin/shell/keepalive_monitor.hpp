// When to probe the managed host and when to give up on it (T_514). Pure timing logic:
// the relay reports when bytes arrived and when probes went out, and asks what to do now.
#pragma once

#include <chrono>

namespace tandem {

class KeepaliveMonitor {
  public:
    using Clock = std::chrono::steady_clock;

    // interval <= 0 disables both probes and the timeout.
    KeepaliveMonitor(std::chrono::milliseconds interval, int count, Clock::time_point now);

    void bytes_received(Clock::time_point now) { last_received_ = now; }
    void probe_sent(Clock::time_point now) { last_probe_ = now; }

    // True when nothing arrived for interval and no probe went out for interval.
    bool probe_due(Clock::time_point now) const;
    // True when nothing arrived for interval x count: the host is gone.
    bool expired(Clock::time_point now) const;
    // Milliseconds until probe_due or expired may change (for the poll timeout); -1 = never.
    int next_deadline_ms(Clock::time_point now) const;

    bool enabled() const { return interval_.count() > 0; }

  private:
    std::chrono::milliseconds interval_;
    int count_;
    Clock::time_point last_received_;
    Clock::time_point last_probe_;
};

}  // namespace tandem
