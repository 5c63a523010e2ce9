#include "tandem/accept_backoff.hpp"

#include <algorithm>

namespace tandem {

std::chrono::milliseconds AcceptBackoff::failed(const std::string& reason, Clock::time_point now) {
    delay_ = delay_.count() == 0 ? kFirstDelay : std::min(delay_ * 2, kMaxDelay);
    log_.write(log::Level::warn,
               who_ + ": accept failed: " + reason + "; retrying in " +
                   std::to_string(delay_.count()) + " ms",
               now);
    return delay_;
}

}  // namespace tandem
