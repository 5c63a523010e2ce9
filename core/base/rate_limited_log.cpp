#include "tandem/rate_limited_log.hpp"

namespace tandem {

bool RateLimitedLog::write(log::Level level, const std::string& message, Clock::time_point now) {
    if (written_once_ && now - last_written_ < interval_) {
        ++held_back_;
        return false;
    }
    std::string line = message;
    if (held_back_ > 0)
        line += " (" + std::to_string(held_back_) + " more like this since the last report)";
    log::write(level, line);
    written_once_ = true;
    last_written_ = now;
    held_back_ = 0;
    return true;
}

}  // namespace tandem
