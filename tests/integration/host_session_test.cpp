// Working on the managed host through the bastion: commands, terminal size, exit status.
#include <regex>

#include "harness/bastion_fixture.hpp"

namespace tandem::test {
namespace {

using HostSession = BastionTest;

TEST_F(HostSession, ConnectFromThePromptRunsCommandsOnTheManagedHost) {
    auto ssh = alice();
    ASSERT_TRUE(connect_from_prompt(*ssh, account));

    auto marker = unique_marker();
    ssh->send_line(print_command(marker));
    ASSERT_TRUE(ssh->expect(marker + "\r\n"));

    // The shell is the managed host's: its sshd reports our connection to its own port.
    ssh->send_line("echo \"via:${SSH_CONNECTION##* }:\"");
    ASSERT_TRUE(ssh->expect("via:" + std::to_string(host->port()) + ":"));
}

TEST_F(HostSession, SttySizeEqualsTheClientSizeAndFollowsAResize) {
    auto ssh = alice({}, 101, 29);
    ASSERT_TRUE(connect_from_prompt(*ssh, account));
    ssh->send_line("stty size");
    ASSERT_TRUE(ssh->expect("29 101\r\n"));

    ssh->resize(140, 45);
    // The new size travels ssh -> tandem-sshd -> tandem-shell -> host asynchronously: ask
    // until it is there (each answer is a fresh line, so stale answers cannot match).
    bool followed = false;
    for (int i = 0; i < 30 && !followed; ++i) {
        ssh->send_line("stty size");
        followed = ssh->wait_for("45 140\r\n", 1s);
    }
    EXPECT_TRUE(followed) << ssh->tail();

    ssh->resize(60, 15);
    followed = false;
    for (int i = 0; i < 30 && !followed; ++i) {
        ssh->send_line("stty size");
        followed = ssh->wait_for("15 60\r\n", 1s);
    }
    EXPECT_TRUE(followed) << ssh->tail();
}

TEST_F(HostSession, DirectConnectByNamingTheAccountAsSshCommand) {
    auto ssh = alice(account);
    ASSERT_TRUE(await_host_shell(*ssh));
    auto marker = unique_marker();
    ssh->send_line(print_command(marker));
    ASSERT_TRUE(ssh->expect(marker + "\r\n"));
    EXPECT_EQ(ssh->transcript().find(kPrompt), std::string::npos)
        << "a direct connection must not show the bastion prompt:\n"
        << ssh->tail();
}

TEST_F(HostSession, HostExitStatusBecomesTheSshClientsExitStatus) {
    auto ssh = alice(account);
    ASSERT_TRUE(await_host_shell(*ssh));
    auto marker = unique_marker();
    ssh->send_line(print_command(marker));
    ASSERT_TRUE(ssh->expect(marker + "\r\n"));
    ssh->send_line("exit 7");
    EXPECT_EQ(ssh->read_all_until_exit(30s), 7) << ssh->tail();
}

TEST_F(HostSession, TermOfTheClientReachesTheHost) {
    auto ssh = std::make_unique<PtySession>(bastion->ssh("alice", alice_key, account), 80, 24,
                                            "screen-256color");
    ASSERT_TRUE(await_host_shell(*ssh));
    ssh->send_line("echo \"term:$TERM:\"");
    ASSERT_TRUE(ssh->expect("term:screen-256color:"));
}

TEST_F(HostSession, LeavingTheHostReturnsToTheBastionPrompt) {
    auto ssh = alice();
    ASSERT_TRUE(connect_from_prompt(*ssh, account));
    auto marker = unique_marker();
    ssh->send_line(print_command(marker));
    ASSERT_TRUE(ssh->expect(marker + "\r\n"));
    ssh->send_line("exit");
    ASSERT_TRUE(ssh->expect(kPrompt));
    ssh->send_line("exit");
    EXPECT_EQ(ssh->read_all_until_exit(30s), 0) << ssh->tail();
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
    EXPECT_NE(r.err.find(user_message(ErrorCode::T_301)), std::string::npos) << r.describe();
}

}  // namespace
}  // namespace tandem::test
