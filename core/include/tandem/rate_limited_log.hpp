// A log line for an event that can repeat thousands of times a second (accept failing for want
// of descriptors, a flood of refused connections): written at most once per interval, saying
// how many were held back since the last line, so a flood cannot fill the disk or drown the
// lines that matter.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "tandem/log.hpp"

namespace tandem {

class RateLimitedLog {
  public:
    using Clock = std::chrono::steady_clock;

    explicit RateLimitedLog(std::chrono::milliseconds interval = std::chrono::seconds(1))
        : interval_(interval) {}

    // Writes the message when `interval` has passed since the last line written (always the
    // first time), otherwise only counts it. Returns whether a line was written.
    bool write(log::Level level, const std::string& message, Clock::time_point now = Clock::now());

  private:
    std::chrono::milliseconds interval_;
    Clock::time_point last_written_{};
    bool written_once_ = false;
    std::size_t held_back_ = 0;
};

}  // namespace tandem
