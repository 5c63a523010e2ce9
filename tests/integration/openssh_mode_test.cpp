// OpenSSH drop-in mode: a stock /usr/sbin/sshd with packaging/sshd_config.d/tandem.conf in
// front of the bastion. People log in as `tandem`, invitees as `join`; their own key names them.
#include "harness/bastion_fixture.hpp"
#include "harness/openssh_bastion.hpp"
#include "harness/sharing_steps.hpp"

namespace tandem::test {
namespace {

class OpensshMode : public BastionTest {
  protected:
    void SetUp() override {
        const std::string why = OpensshBastion::unavailable_reason();
        if (!why.empty()) GTEST_SKIP() << why;
        BastionTest::SetUp();
        openssh = std::make_unique<OpensshBastion>(*bastion, tmp.subdir("openssh"));
    }
    void TearDown() override {
        if (HasFailure() && openssh) std::fprintf(stderr, "%s\n", openssh->diagnostics().c_str());
    }

    std::unique_ptr<PtySession> login(const std::string& key, const std::string& command = {}) {
        return std::make_unique<PtySession>(
            openssh->ssh(OpensshBastion::kServiceLogin, key, command));
    }
    // ssh without a terminal, with extra command-line options before the destination.
    CommandResult run_ssh(SshTarget target, const std::vector<std::string>& options) {
        target.tty = false;
        auto argv = ssh_argv(target);
        argv.insert(argv.begin() + 1, options.begin(), options.end());
        return run_command(argv, {}, 60s);
    }

    std::unique_ptr<OpensshBastion> openssh;
};

TEST_F(OpensshMode, LoginShowsThePromptAndHostsListsTheGrantedAccount) {
    auto ssh = login(alice_key);
    ASSERT_TRUE(ssh->expect(kPrompt));
    ssh->send_line("hosts");
    ASSERT_TRUE(ssh->expect("hosts\r\n"));
    ASSERT_TRUE(ssh->expect(account));
    ASSERT_TRUE(ssh->expect(kPrompt));
    ssh->send_line("exit");
    EXPECT_EQ(ssh->read_all_until_exit(30s), 0) << ssh->tail();
}

TEST_F(OpensshMode, DirectConnectRunsOnTheHostAndReturnsItsExitStatus) {
    auto ssh = login(alice_key, account);
    ASSERT_TRUE(await_host_shell(*ssh));
    auto marker = unique_marker();
    ssh->send_line(print_command(marker));
    ASSERT_TRUE(ssh->expect(marker + "\r\n"));
    ssh->send_line("exit 7");
    EXPECT_EQ(ssh->read_all_until_exit(30s), 7) << ssh->tail();
    // The session is attributed to alice, the key's owner.
    const auto sessions = bastion->admin_ok({"sessions"});
    EXPECT_NE(sessions.out.find("alice"), std::string::npos) << sessions.out;
}

TEST_F(OpensshMode, TheKeyNamesThePersonWhateverTheCommandSays) {
    // bob holds no grant: his key makes him bob, so the account is refused (T_302).
    const std::string bob_key = bastion->add_user("bob");
    auto ssh = login(bob_key, account);
    ASSERT_TRUE(ssh->expect(seen(ErrorCode::T_302)));
    EXPECT_NE(ssh->read_all_until_exit(30s), 0);
}

TEST_F(OpensshMode, AskingForAShellGetsTheForcedCommandInstead) {
    for (const char* command : {"/bin/sh", "sh -c id", "web01 --user bob"}) {
        const auto r = run_ssh(openssh->ssh(OpensshBastion::kServiceLogin, alice_key, command),
                               {"-o", "RequestTTY=no"});
        EXPECT_NE(r.exit_code, 0) << command << "\n" << r.describe();
        EXPECT_NE((r.out + r.err).find(seen(ErrorCode::T_303)), std::string::npos)
            << command << "\n"
            << r.describe();
        EXPECT_EQ(r.out.find("uid="), std::string::npos) << r.describe();
    }
}

// -W and -L both open a direct-tcpip channel, which sshd refuses under `restrict`; -W shows it
// without a listener on the client side.
TEST_F(OpensshMode, PortAndAgentForwardingAreRefused) {
    const auto target = openssh->ssh(OpensshBastion::kServiceLogin, alice_key);
    const std::string host_port = "127.0.0.1:" + std::to_string(host->port());
    const auto stdio = run_ssh(target, {"-W", host_port});
    EXPECT_EQ(stdio.exit_code, 255) << stdio.describe();
    EXPECT_NE(stdio.err.find("stdio forwarding failed"), std::string::npos) << stdio.describe();
    EXPECT_EQ(stdio.out.find("SSH-2.0"), std::string::npos) << "reached the host\n"
                                                            << stdio.describe();

    const auto remote =
        run_ssh(target, {"-N", "-o", "ExitOnForwardFailure=yes", "-R", "127.0.0.1:0:" + host_port});
    EXPECT_EQ(remote.exit_code, 255) << remote.describe();
    EXPECT_NE(remote.err.find("forwarding failed"), std::string::npos) << remote.describe();

    // Agent forwarding: sshd is asked and declines (it logs why).
    auto agent = run_command({"ssh-agent", "-s"});
    ASSERT_EQ(agent.exit_code, 0) << agent.describe();
    const auto sock_at = agent.out.find("SSH_AUTH_SOCK=");
    ASSERT_NE(sock_at, std::string::npos);
    const std::string sock =
        agent.out.substr(sock_at + 14, agent.out.find(';', sock_at) - sock_at - 14);
    const auto pid_at = agent.out.find("SSH_AGENT_PID=");
    const std::string agent_pid =
        agent.out.substr(pid_at + 14, agent.out.find(';', pid_at) - pid_at - 14);
    auto forwarded = run_command({"env",
                                  "SSH_AUTH_SOCK=" + sock,
                                  "ssh",
                                  "-A",
                                  "-T",
                                  "-F",
                                  "/dev/null",
                                  "-o",
                                  "StrictHostKeyChecking=no",
                                  "-o",
                                  "UserKnownHostsFile=/dev/null",
                                  "-o",
                                  "BatchMode=yes",
                                  "-o",
                                  "IdentitiesOnly=yes",
                                  "-i",
                                  alice_key,
                                  "-p",
                                  std::to_string(openssh->port()),
                                  "tandem@127.0.0.1",
                                  "hosts"});
    run_command({"kill", agent_pid});
    EXPECT_NE(forwarded.out.find(account), std::string::npos) << forwarded.describe();
    EXPECT_NE(openssh->sshd_log().find("agent forwarding disabled"), std::string::npos)
        << openssh->sshd_log();
}

TEST_F(OpensshMode, UnregisteredKeyIsRefused) {
    const std::string stranger = bastion->generate_key("stranger");
    for (const char* login : {OpensshBastion::kServiceLogin, OpensshBastion::kJoinLogin}) {
        const auto r = run_ssh(openssh->ssh(login, stranger, "hosts"), {});
        EXPECT_EQ(r.exit_code, 255) << r.describe();
        EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.describe();
    }
}

TEST_F(OpensshMode, ShareFromASessionAndJoinThroughTheStockSshd) {
    openssh->start_broker();
    const std::string guest_key = bastion->add_user("guest");
    bastion->grant("guest", account);

    auto creator = login(alice_key, account);
    ASSERT_TRUE(await_host_shell(*creator));
    const auto marker = unique_marker("before-join");
    creator->send_line(print_command(marker));
    ASSERT_TRUE(creator->expect(marker + "\r\n"));
    const auto invite = share(*creator);
    ASSERT_TRUE(invite);
    // The line names the way in that was actually used: the stock sshd's address and port.
    EXPECT_EQ(invite->port, openssh->port()) << creator->tail();
    EXPECT_EQ(invite->host, "127.0.0.1");
    EXPECT_NE(creator->transcript().find("join@127.0.0.1 " + invite->token), std::string::npos);

    auto guest = std::make_unique<PtySession>(
        openssh->ssh(OpensshBastion::kJoinLogin, guest_key, invite->token));
    ASSERT_TRUE(guest->expect(marker)) << "the invitee sees the screen as it is";
    const auto live = unique_marker("live");
    creator->send_line(print_command(live));
    ASSERT_TRUE(guest->expect(live + "\r\n"));
    creator->send_line("exit 0");
    EXPECT_EQ(creator->read_all_until_exit(30s), 0);
    EXPECT_NE(guest->read_all_until_exit(30s), std::nullopt);
}

}  // namespace
}  // namespace tandem::test
