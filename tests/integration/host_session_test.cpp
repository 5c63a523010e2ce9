// Working on the managed host through tandem-sshd: the client's TERM, and sessions without a
// terminal. Connecting, relay, resize and exit status run against both front ends in
// front_end_session_test.cpp.
#include "harness/bastion_fixture.hpp"

namespace tandem::test {
namespace {

using HostSession = BastionTest;

TEST_F(HostSession, TermOfTheClientReachesTheHost) {
    auto ssh = std::make_unique<PtySession>(bastion->ssh("alice", alice_key, account), 80, 24,
                                            "screen-256color");
    ASSERT_TRUE(await_host_shell(*ssh));
    ssh->send_line("echo \"term:$TERM:\"");
    ASSERT_TRUE(ssh->expect("term:screen-256color:"));
}

TEST_F(HostSession, WithoutATerminalStdinStdoutAndExitStatusPassThrough) {
    // `ssh alice@bastion root@web01 < script`: no PTY anywhere, so bytes pass unchanged
    // (no \r added) and the script's exit status comes back.
    auto target = bastion->ssh("alice", alice_key, account);
    target.tty = false;
    auto marker = unique_marker("piped");
    auto r = run_command(ssh_argv(target), print_command(marker) + "\nexit 4\n", 60s);
    EXPECT_EQ(r.exit_code, 4) << r.describe();
    EXPECT_NE(r.out.find(marker + "\n"), std::string::npos) << r.describe();
    EXPECT_EQ(r.out.find('\r'), std::string::npos) << r.describe();
}

TEST_F(HostSession, WithoutATerminalARefusalGoesToStderrWithNonZeroStatus) {
    auto target = bastion->ssh("alice", alice_key, host->login() + "@nosuchhost");
    target.tty = false;
    auto r = run_command(ssh_argv(target), {}, 60s);
    EXPECT_NE(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.err.find(user_message(ErrorCode::T_301_unknown_account)), std::string::npos)
        << r.describe();
}

}  // namespace
}  // namespace tandem::test
