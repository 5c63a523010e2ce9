// The one poll(2) loop of tandem-shell: file descriptors with their interest and a callback,
// and one-shot timers. Single-threaded; callbacks may change watches and timers, and may stop
// the pass (stop()) so that nothing else runs before the owner looks at what happened.
#pragma once

#include <poll.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

namespace tandem {

class EventLoop {
  public:
    using Clock = std::chrono::steady_clock;
    using FdCallback = std::function<void(short revents)>;
    using TimerCallback = std::function<void()>;
    using Id = std::size_t;

    // Watches fd (-1 = nothing to watch now) for events; the callback gets the revents. A
    // watched fd is polled even with events 0, so a hang-up is still seen. Callbacks of one
    // pass run in the order the watches were added.
    Id watch(int fd, short events, FdCallback callback);
    void update(Id watch, int fd, short events);
    void set_events(Id watch, short events);

    // A one-shot timer; set again to move it, clear to drop it.
    Id add_timer(TimerCallback callback);
    void set_timer(Id timer, Clock::time_point when);
    void clear_timer(Id timer);
    bool timer_pending(Id timer) const;
    std::optional<Clock::time_point> timer_deadline(Id timer) const;

    // One pass: waits for a watched fd, the next timer, or at most max_wait (nullopt: no
    // limit; zero: do not wait), then runs the callbacks of the ready fds and of the due timers.
    // Returns false when poll(2) failed (other than EINTR).
    bool run_once(std::optional<std::chrono::milliseconds> max_wait = std::nullopt);
    // Ends the current pass after the running callback.
    void stop_pass() { stopped_ = true; }

  private:
    struct Watch {
        int fd;
        short events;
        FdCallback callback;
    };
    struct Timer {
        std::optional<Clock::time_point> when;
        TimerCallback callback;
    };

    int timeout_ms(std::optional<std::chrono::milliseconds> max_wait, Clock::time_point now) const;

    std::vector<Watch> watches_;
    std::vector<Timer> timers_;
    std::vector<pollfd> fds_;
    std::vector<Id> fd_owner_;
    bool stopped_ = false;
};

}  // namespace tandem
