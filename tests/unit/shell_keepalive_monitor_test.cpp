#include "keepalive_monitor.hpp"

#include <gtest/gtest.h>

namespace tandem {
namespace {

using namespace std::chrono_literals;
using Clock = KeepaliveMonitor::Clock;

TEST(ShellKeepaliveMonitor, ProbesAfterAnIntervalOfSilence) {
    const auto t0 = Clock::now();
    KeepaliveMonitor monitor(2000ms, 3, t0);
    EXPECT_FALSE(monitor.probe_due(t0 + 1999ms));
    EXPECT_TRUE(monitor.probe_due(t0 + 2000ms));
    monitor.probe_sent(t0 + 2000ms);
    EXPECT_FALSE(monitor.probe_due(t0 + 3000ms));
    EXPECT_TRUE(monitor.probe_due(t0 + 4000ms));
}

TEST(ShellKeepaliveMonitor, TrafficPostponesProbes) {
    const auto t0 = Clock::now();
    KeepaliveMonitor monitor(2000ms, 3, t0);
    monitor.bytes_received(t0 + 1500ms);
    EXPECT_FALSE(monitor.probe_due(t0 + 3000ms));
    EXPECT_TRUE(monitor.probe_due(t0 + 3500ms));
}

TEST(ShellKeepaliveMonitor, ExpiresAfterIntervalTimesCountWithoutBytes) {
    const auto t0 = Clock::now();
    KeepaliveMonitor monitor(2000ms, 3, t0);
    for (auto t = 2000ms; t < 6000ms; t += 2000ms) monitor.probe_sent(t0 + t);
    EXPECT_FALSE(monitor.expired(t0 + 5999ms));
    EXPECT_TRUE(monitor.expired(t0 + 6000ms));
}

TEST(ShellKeepaliveMonitor, AnsweredProbesKeepASilentHostAlive) {
    const auto t0 = Clock::now();
    KeepaliveMonitor monitor(2000ms, 3, t0);
    for (auto t = 0ms; t < 60000ms; t += 100ms) {
        const auto now = t0 + t;
        ASSERT_FALSE(monitor.expired(now)) << t.count();
        if (monitor.probe_due(now)) {
            monitor.probe_sent(now);
            monitor.bytes_received(now + 1ms);  // the reply
        }
    }
}

TEST(ShellKeepaliveMonitor, NextDeadlineCoversProbeAndExpiry) {
    const auto t0 = Clock::now();
    KeepaliveMonitor monitor(2000ms, 3, t0);
    EXPECT_NEAR(monitor.next_deadline_ms(t0), 2001, 1);
    monitor.probe_sent(t0 + 2000ms);
    monitor.probe_sent(t0 + 4000ms);
    EXPECT_NEAR(monitor.next_deadline_ms(t0 + 4000ms), 2001, 1);
    EXPECT_EQ(monitor.next_deadline_ms(t0 + 7000ms), 0);
}

TEST(ShellKeepaliveMonitor, ZeroIntervalDisables) {
    const auto t0 = Clock::now();
    KeepaliveMonitor monitor(0ms, 3, t0);
    EXPECT_FALSE(monitor.enabled());
    EXPECT_FALSE(monitor.probe_due(t0 + 1h));
    EXPECT_FALSE(monitor.expired(t0 + 1h));
    EXPECT_EQ(monitor.next_deadline_ms(t0), -1);
}

}  // namespace
}  // namespace tandem
