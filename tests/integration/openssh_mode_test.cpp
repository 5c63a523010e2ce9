// OpenSSH drop-in mode: a stock /usr/sbin/sshd with packaging/sshd_config.d/tandem.conf in
// front of the bastion. People log in as `tandem`, invitees as `join`; their own key names them.
// What only this front end has: the service logins give no shell and no forwarding, and keys
// nobody registered get nowhere. The scenarios both front ends share (login, connect, relay,
// resize, exit status, sharing, control, refusals) are in front_end_*_test.cpp.
#include "harness/bastion_fixture.hpp"
#include "harness/openssh_bastion.hpp"

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

    // ssh without a terminal, with extra command-line options before the destination.
    CommandResult run_ssh(SshTarget target, const std::vector<std::string>& options) {
        target.tty = false;
        auto argv = ssh_argv(target);
        argv.insert(argv.begin() + 1, options.begin(), options.end());
        return run_command(argv, {}, 60s);
    }

    std::unique_ptr<OpensshBastion> openssh;
};

TEST_F(OpensshMode, AskingForAShellGetsTheForcedCommandInstead) {
    for (const char* command : {"/bin/sh", "sh -c id", "web01 --user bob"}) {
        const auto r = run_ssh(openssh->ssh(OpensshBastion::kServiceLogin, alice_key, command),
                               {"-o", "RequestTTY=no"});
        EXPECT_NE(r.exit_code, 0) << command << "\n" << r.describe();
        EXPECT_NE((r.out + r.err).find(seen(ErrorCode::T_303_malformed_account)), std::string::npos)
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

}  // namespace
}  // namespace tandem::test
