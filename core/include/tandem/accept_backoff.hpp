// What a listener does when accept() fails (EMFILE, ENFILE, ENOBUFS...): the pending connection
// stays queued and the socket stays readable, so trying again at once only spins the CPU and
// the log. Instead wait — 100 ms, doubling up to 500 ms while the failures go on — and log at
// most once a second. Every listener (the broker's hook socket and web face, tandem-sshd) uses it.
#pragma once

#include <chrono>
#include <string>

#include "tandem/rate_limited_log.hpp"

namespace tandem {

class AcceptBackoff {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::milliseconds kFirstDelay{100};
    static constexpr std::chrono::milliseconds kMaxDelay{500};

    // who: the log line's prefix, e.g. "broker: hook socket".
    explicit AcceptBackoff(std::string who) : who_(std::move(who)) {}

    // Records a failed accept (logged as "WHO: accept failed: REASON", rate-limited); returns
    // how long to wait before accepting again.
    std::chrono::milliseconds failed(const std::string& reason,
                                     Clock::time_point now = Clock::now());
    // An accept succeeded: the next failure starts again from the shortest wait.
    void succeeded() { delay_ = std::chrono::milliseconds(0); }

  private:
    std::string who_;
    std::chrono::milliseconds delay_{0};
    RateLimitedLog log_;
};

}  // namespace tandem
