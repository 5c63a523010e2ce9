#include "event_loop.hpp"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <climits>

namespace tandem {

EventLoop::Id EventLoop::watch(int fd, short events, FdCallback callback) {
    watches_.push_back({fd, events, std::move(callback)});
    return watches_.size() - 1;
}

void EventLoop::update(Id watch, int fd, short events) {
    watches_.at(watch).fd = fd;
    watches_.at(watch).events = events;
}

void EventLoop::set_events(Id watch, short events) {
    watches_.at(watch).events = events;
}

EventLoop::Id EventLoop::add_timer(TimerCallback callback) {
    timers_.push_back({std::nullopt, std::move(callback)});
    return timers_.size() - 1;
}

void EventLoop::set_timer(Id timer, Clock::time_point when) {
    timers_.at(timer).when = when;
}

void EventLoop::clear_timer(Id timer) {
    timers_.at(timer).when.reset();
}

bool EventLoop::timer_pending(Id timer) const {
    return timers_.at(timer).when.has_value();
}

std::optional<EventLoop::Clock::time_point> EventLoop::timer_deadline(Id timer) const {
    return timers_.at(timer).when;
}

int EventLoop::timeout_ms(std::optional<std::chrono::milliseconds> max_wait,
                          Clock::time_point now) const {
    long long timeout = max_wait ? std::max<long long>(0, max_wait->count()) : -1;
    for (const auto& timer : timers_) {
        if (!timer.when) continue;
        // Rounded up: waking a millisecond early would only spin until the deadline.
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(*timer.when - now).count();
        const long long wait = std::max<long long>(0, left);
        timeout = timeout < 0 ? wait : std::min(timeout, wait);
    }
    return static_cast<int>(std::min<long long>(timeout, INT_MAX));
}

bool EventLoop::run_once(std::optional<std::chrono::milliseconds> max_wait) {
    stopped_ = false;
    fds_.clear();
    fd_owner_.clear();
    for (Id i = 0; i < watches_.size(); ++i) {
        if (watches_[i].fd < 0) continue;
        fds_.push_back({watches_[i].fd, watches_[i].events, 0});
        fd_owner_.push_back(i);
    }
    const int ready = ::poll(fds_.data(), fds_.size(), timeout_ms(max_wait, Clock::now()));
    if (ready < 0 && errno != EINTR) return false;
    for (std::size_t i = 0; ready > 0 && i < fds_.size() && !stopped_; ++i)
        if (fds_[i].revents != 0) watches_[fd_owner_[i]].callback(fds_[i].revents);
    const auto now = Clock::now();
    for (auto& timer : timers_) {
        if (stopped_) break;
        if (!timer.when || *timer.when > now) continue;
        timer.when.reset();
        timer.callback();
    }
    return true;
}

}  // namespace tandem
