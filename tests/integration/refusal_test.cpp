// Every refusal tells the user its code and sentence, exactly as docs/errors.md lists them.
// Connecting without a grant (T_302) runs against both front ends in front_end_session_test.cpp.
#include "harness/bastion_fixture.hpp"
#include "harness/paths.hpp"

namespace tandem::test {
namespace {

using Refusal = BastionTest;

// A refused login: ssh gives up (255) and the user was told why. SSH banners (where a server
// can explain a refusal before authentication ends) are shown at OpenSSH's default LogLevel
// INFO, so these clients run with it.
void expect_login_refused(PtySession& ssh) {
    auto status = ssh.read_all_until_exit(60s);
    EXPECT_EQ(status, 255) << ssh.tail();
    EXPECT_NE(ssh.transcript().find(user_message(ErrorCode::T_201_key_not_registered)),
              std::string::npos)
        << "the refusal does not show T_201 and its sentence:\n"
        << ssh.tail();
    EXPECT_EQ(ssh.transcript().find(kPrompt), std::string::npos) << ssh.tail();
}

TEST_F(Refusal, UnknownUserIsRefusedWithT201) {
    std::string key = bastion->generate_key("mallory");  // a key nobody registered
    auto target = bastion->ssh("mallory", key);
    target.log_level = "INFO";
    PtySession ssh(target);
    expect_login_refused(ssh);
}

TEST_F(Refusal, KnownUserWithAnotherKeyIsRefusedWithT201) {
    std::string stranger_key = bastion->generate_key("not-alices");
    auto target = bastion->ssh("alice", stranger_key);
    target.log_level = "INFO";
    PtySession ssh(target);
    expect_login_refused(ssh);
}

TEST_F(Refusal, AnotherUsersKeyDoesNotLogInAsAlice) {
    std::string bob_key = bastion->add_user("bob");  // registered, but for bob
    auto target = bastion->ssh("alice", bob_key);
    target.log_level = "INFO";
    PtySession ssh(target);
    expect_login_refused(ssh);
}

TEST_F(Refusal, RevokedGrantShowsT302) {
    bastion->revoke("alice", account);
    auto ssh = alice();
    ASSERT_TRUE(ssh->expect(kPrompt));
    ssh->send_line("connect " + account);
    ASSERT_TRUE(ssh->expect(seen(ErrorCode::T_302_no_grant)));
}

TEST_F(Refusal, UnknownAccountShowsT301) {
    auto ssh = alice();
    ASSERT_TRUE(ssh->expect(kPrompt));
    ssh->send_line("connect " + host->login() + "@nosuchhost");
    ASSERT_TRUE(ssh->expect(seen(ErrorCode::T_301_unknown_account)));
    ASSERT_TRUE(ssh->expect(kPrompt));
    ssh->send_line("connect nosuchlogin@web01");
    ASSERT_TRUE(ssh->expect(seen(ErrorCode::T_301_unknown_account)));
}

TEST_F(Refusal, MalformedAccountNameShowsT303) {
    auto ssh = alice();
    ASSERT_TRUE(ssh->expect(kPrompt));
    ssh->send_line("connect web01");
    ASSERT_TRUE(ssh->expect(seen(ErrorCode::T_303_malformed_account)));
    ASSERT_TRUE(ssh->expect(kPrompt));
    ssh->send_line("connect @web01");
    ASSERT_TRUE(ssh->expect(seen(ErrorCode::T_303_malformed_account)));
}

TEST_F(Refusal, HostDownShowsT501) {
    host->stop();
    auto ssh = alice();
    ASSERT_TRUE(ssh->expect(kPrompt));
    ssh->send_line("connect " + account);
    ASSERT_TRUE(ssh->expect(seen(ErrorCode::T_501_host_unreachable), 60s));
    ASSERT_TRUE(ssh->expect(kPrompt));
}

TEST_F(Refusal, HostKeyMismatchShowsT502) {
    // web02 is the same sshd, pinned with a key it does not have.
    std::string wrong_key = bastion->generate_key("impostor-host-key");
    std::string other = bastion->add_host_account("web02", *host, wrong_key + ".pub");
    bastion->grant("alice", other);
    auto ssh = alice();
    ASSERT_TRUE(ssh->expect(kPrompt));
    ssh->send_line("connect " + other);
    ASSERT_TRUE(ssh->expect(seen(ErrorCode::T_502_host_key_mismatch), 60s));
    ASSERT_TRUE(ssh->expect(kPrompt));
    // And the genuine pin still works from the same prompt.
    ssh->send_line("connect " + account);
    ASSERT_TRUE(await_host_shell(*ssh));
}

}  // namespace
}  // namespace tandem::test
