// Restarting tandem-sshd (the listener) never ends running sessions, as with OpenSSH: each
// connection is its own process, and the new listener on the same port takes new connections
// at once. Both an orderly stop (SIGTERM) and a crash (SIGKILL).
#include <csignal>

#include "harness/bastion_fixture.hpp"
#include "harness/paths.hpp"

namespace tandem::test {
namespace {

class FaultSshdRestart : public BastionTest, public ::testing::WithParamInterface<int> {};

TEST_P(FaultSshdRestart, RunningSessionsGoOnAndNewConnectionsWorkAtOnce) {
    auto running = alice(account);
    ASSERT_TRUE(await_host_shell(*running));
    const std::uint16_t port = bastion->port();

    bastion->restart_sshd(GetParam());
    EXPECT_EQ(bastion->port(), port) << "the new listener must take the same port";

    const auto during = unique_marker("after-listener-restart");
    running->send_line(print_command(during));
    EXPECT_TRUE(running->expect(during + "\r\n", 20s))
        << "the running session ended with its listener:\n"
        << running->tail();

    auto fresh = alice(account);
    ASSERT_TRUE(await_host_shell(*fresh)) << "a new connection after the restart:\n"
                                          << fresh->tail() << bastion->diagnostics();
    const auto mark = unique_marker("new-connection");
    fresh->send_line(print_command(mark));
    EXPECT_TRUE(fresh->expect(mark + "\r\n", 20s));

    // Both end the usual way, with the host shell's status.
    running->send_line("exit 4");
    EXPECT_EQ(running->read_all_until_exit(30s), 4) << running->tail();
    fresh->send_line("exit 5");
    EXPECT_EQ(fresh->read_all_until_exit(30s), 5) << fresh->tail();
}

INSTANTIATE_TEST_SUITE_P(Signals, FaultSshdRestart, ::testing::Values(SIGTERM, SIGKILL),
                         [](const auto& info) {
                             return std::string(info.param == SIGTERM ? "sigterm" : "sigkill");
                         });

}  // namespace
}  // namespace tandem::test
