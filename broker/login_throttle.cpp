#include "login_throttle.hpp"

#include <algorithm>

namespace tandem::broker {

LoginThrottle::LoginThrottle(int max_failures, std::chrono::seconds window, std::size_t capacity)
    : max_failures_(std::max(max_failures, 1)),
      window_(window),
      capacity_(std::max<std::size_t>(capacity, 1)) {}

bool LoginThrottle::is_locked(const Table& table, const std::string& key,
                              Clock::time_point now) const {
    auto it = table.find(key);
    return it != table.end() && now < it->second.locked_until;
}

bool LoginThrottle::locked(const std::string& user, const std::string& address,
                           Clock::time_point now) const {
    return is_locked(users_, user, now) || is_locked(addresses_, address, now);
}

bool LoginThrottle::begin_attempt(const std::string& user, const std::string& address,
                                  Clock::time_point now) {
    if (locked(user, address, now)) return false;
    count_failure(users_, user, now);
    count_failure(addresses_, address, now);
    return true;
}

void LoginThrottle::count_failure(Table& table, const std::string& key, Clock::time_point now) {
    if (table.size() >= capacity_ && !table.count(key)) make_room(table, now);
    Record& r = table[key];
    if (r.failures == 0 || now - r.window_start >= window_) {
        r.failures = 0;
        r.window_start = now;
    }
    if (++r.failures >= max_failures_) r.locked_until = now + window_;
}

void LoginThrottle::succeeded(const std::string& user, const std::string& address) {
    users_.erase(user);
    auto it = addresses_.find(address);
    if (it == addresses_.end()) return;
    Record& r = it->second;
    if (--r.failures <= 0) {
        addresses_.erase(it);
        return;
    }
    if (r.failures < max_failures_) r.locked_until = {};
}

// Under a flood of new names or addresses: drop what no longer matters, then the oldest.
void LoginThrottle::make_room(Table& table, Clock::time_point now) {
    for (auto it = table.begin(); it != table.end();) {
        const bool stale =
            now >= it->second.locked_until && now - it->second.window_start >= window_;
        it = stale ? table.erase(it) : std::next(it);
    }
    if (table.size() < capacity_) return;
    auto oldest = std::min_element(table.begin(), table.end(), [](const auto& a, const auto& b) {
        return a.second.window_start < b.second.window_start;
    });
    table.erase(oldest);
}

}  // namespace tandem::broker
