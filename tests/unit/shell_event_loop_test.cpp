#include "event_loop.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace tandem {
namespace {

using namespace std::chrono_literals;
using Clock = EventLoop::Clock;

struct Pipe {
    Pipe() { EXPECT_EQ(::pipe(fds), 0); }
    ~Pipe() {
        ::close(fds[0]);
        ::close(fds[1]);
    }
    void put(const std::string& bytes) const {
        EXPECT_EQ(::write(fds[1], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    }
    int read_end() const { return fds[0]; }
    int fds[2] = {-1, -1};
};

TEST(ShellEventLoop, ReadyFdRunsItsCallbackWithTheRevents) {
    Pipe a, b;
    EventLoop loop;
    std::vector<std::string> calls;
    loop.watch(a.read_end(), POLLIN, [&](short revents) {
        calls.push_back("a" + std::to_string(revents & POLLIN ? 1 : 0));
    });
    loop.watch(b.read_end(), POLLIN, [&](short) { calls.push_back("b"); });
    b.put("x");
    ASSERT_TRUE(loop.run_once(1s));
    EXPECT_EQ(calls, std::vector<std::string>{"b"});
    a.put("x");
    calls.clear();
    ASSERT_TRUE(loop.run_once(1s));
    EXPECT_EQ(calls, (std::vector<std::string>{"a1", "b"}));  // in the order they were added
}

TEST(ShellEventLoop, UnwatchedFdAndZeroWaitReturnAtOnce) {
    Pipe a;
    EventLoop loop;
    int calls = 0;
    const auto id = loop.watch(-1, POLLIN, [&](short) { ++calls; });
    a.put("x");
    const auto t0 = Clock::now();
    ASSERT_TRUE(loop.run_once(0ms));
    EXPECT_EQ(calls, 0);
    loop.update(id, a.read_end(), POLLIN);
    ASSERT_TRUE(loop.run_once(1s));
    EXPECT_EQ(calls, 1);
    EXPECT_LT(Clock::now() - t0, 500ms);
}

TEST(ShellEventLoop, TimerBoundsTheWaitAndFiresOnce) {
    EventLoop loop;
    int fired = 0;
    const auto timer = loop.add_timer([&] { ++fired; });
    const auto t0 = Clock::now();
    loop.set_timer(timer, t0 + 50ms);
    EXPECT_TRUE(loop.timer_pending(timer));
    while (fired == 0 && Clock::now() - t0 < 2s) ASSERT_TRUE(loop.run_once(5s));
    const auto waited = Clock::now() - t0;
    EXPECT_EQ(fired, 1);
    EXPECT_GE(waited, 50ms);
    EXPECT_LT(waited, 1s) << "the timer, not max_wait, must end the wait";
    EXPECT_FALSE(loop.timer_pending(timer));
    ASSERT_TRUE(loop.run_once(20ms));
    EXPECT_EQ(fired, 1);
}

TEST(ShellEventLoop, ClearedTimerNeverFires) {
    EventLoop loop;
    int fired = 0;
    const auto timer = loop.add_timer([&] { ++fired; });
    loop.set_timer(timer, Clock::now());
    loop.clear_timer(timer);
    ASSERT_TRUE(loop.run_once(20ms));
    EXPECT_EQ(fired, 0);
}

TEST(ShellEventLoop, StopPassSkipsTheRestOfThePass) {
    Pipe a, b;
    EventLoop loop;
    int b_calls = 0;
    loop.watch(a.read_end(), POLLIN, [&](short) { loop.stop_pass(); });
    loop.watch(b.read_end(), POLLIN, [&](short) { ++b_calls; });
    a.put("x");
    b.put("x");
    ASSERT_TRUE(loop.run_once(1s));
    EXPECT_EQ(b_calls, 0);
    char c;
    ASSERT_EQ(::read(a.read_end(), &c, 1), 1);
    ASSERT_TRUE(loop.run_once(1s));
    EXPECT_EQ(b_calls, 1);
}

}  // namespace
}  // namespace tandem
