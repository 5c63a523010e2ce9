#include "keepalive_monitor.hpp"

#include <algorithm>

namespace tandem {

KeepaliveMonitor::KeepaliveMonitor(std::chrono::milliseconds interval, int count,
                                   Clock::time_point now)
    : interval_(interval), count_(std::max(count, 1)), last_received_(now), last_probe_(now) {}

bool KeepaliveMonitor::probe_due(Clock::time_point now) const {
    if (!enabled()) return false;
    return now - last_received_ >= interval_ && now - last_probe_ >= interval_;
}

bool KeepaliveMonitor::expired(Clock::time_point now) const {
    if (!enabled()) return false;
    return now - last_received_ >= interval_ * count_;
}

int KeepaliveMonitor::next_deadline_ms(Clock::time_point now) const {
    if (!enabled()) return -1;
    const auto probe_at = std::max(last_received_, last_probe_) + interval_;
    const auto expire_at = last_received_ + interval_ * count_;
    const auto next = std::min(probe_at, expire_at);
    if (next <= now) return 0;
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count();
    return static_cast<int>(std::min<long long>(wait + 1, 60'000));
}

}  // namespace tandem
