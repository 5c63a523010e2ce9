// `tandem-admin user disable`: the attack is a disabled person who still holds a valid key or
// password and keeps trying (a session already open, a share they joined, a new SSH login, a
// new web login, a web login made before). Each is refused; the same path works for someone
// still enabled, and for the same person once enabled again.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "harness/sharing_fixture.hpp"
#include "harness/web_fixture.hpp"

namespace tandem::test {
namespace {

// A fresh SSH login as `user` that must be refused with T_209 (OpenSSH shows the banner at
// LogLevel INFO).
void expect_ssh_refused_with_t209(BastionInstance& bastion, const std::string& user,
                                  const std::string& key, const std::string& command) {
    auto target = bastion.ssh(user, key, command);
    target.log_level = "INFO";
    PtySession ssh(target);
    EXPECT_EQ(ssh.read_all_until_exit(60s), 255) << ssh.tail();
    EXPECT_NE(ssh.transcript().find(user_message(ErrorCode::T_209_user_disabled)),
              std::string::npos)
        << "the refusal does not show T_209 and its sentence:\n"
        << ssh.tail();
    EXPECT_EQ(ssh.transcript().find(kPrompt), std::string::npos) << ssh.tail();
}

class UserDisable : public SharingTest {
  protected:
    std::vector<std::string> sshd_overrides() const override {
        return {"--session.access_recheck=1s"};
    }
};

TEST_F(UserDisable, DisabledUserIsPutOutOfSessionsAndSharesAndRefusedAtSshLogin) {
    // alice shares her session with carol; bob works in his own session on the same account.
    auto alice_session = creator();
    auto bob_session = std::make_unique<PtySession>(bastion->ssh("bob", bob_key, account));
    ASSERT_TRUE(await_host_shell(*bob_session));
    auto invite = share(*alice_session);
    ASSERT_TRUE(invite);
    auto carol = join(carol_key, invite->token);
    const auto watched = unique_marker("carol-watches");
    alice_session->send_line(print_command(watched));
    ASSERT_TRUE(carol->expect(watched, 30s)) << "carol never saw alice's screen";
    {
        // What an operator sees of it meanwhile: the share, who is in it, who types, and the
        // bytes the hook reports (at most a second late).
        nlohmann::json alice_row = nlohmann::json::object();
        for (int i = 0; i < 50 && (alice_row.value("bytes_in", 0) == 0 ||
                                   alice_row.value("bytes_out", 0) == 0);
             ++i) {
            std::this_thread::sleep_for(100ms);
            for (const auto& row :
                 nlohmann::json::parse(bastion->admin_ok({"sessions", "--live", "--json"}).out))
                if (row["user"] == "alice") alice_row = row;
        }
        EXPECT_EQ(alice_row.value("via", ""), "ssh") << alice_row.dump();
        EXPECT_EQ(alice_row.value("shared", false), true) << alice_row.dump();
        EXPECT_EQ(alice_row.value("controller", ""), "alice") << alice_row.dump();
        ASSERT_EQ(alice_row["participants"].size(), 1u) << alice_row.dump();
        EXPECT_EQ(alice_row["participants"][0]["user"], "carol");
        EXPECT_EQ(alice_row["participants"][0]["via"], "ssh");
        EXPECT_GT(alice_row.value("bytes_in", 0), 0) << alice_row.dump();
        EXPECT_GT(alice_row.value("bytes_out", 0), 0) << alice_row.dump();
        const auto table = bastion->admin_ok({"sessions", "--live"});
        EXPECT_NE(table.out.find("carol (ssh)"), std::string::npos) << table.out;
    }

    bastion->admin_ok({"user", "disable", "alice"});
    const auto t0 = Clock::now();
    ASSERT_TRUE(alice_session->expect(seen(ErrorCode::T_306_access_revoked), 20s));
    std::printf("[ measure  ] alice's session closed %.2f s after user disable\n",
                seconds_since(t0));
    EXPECT_LE(seconds_since(t0), 5.0);
    EXPECT_TRUE(expect_ended_with(*carol, ErrorCode::T_708_grant_revoked, 20s));
    EXPECT_TRUE(alice_session->read_all_until_exit(20s));

    // Positive control: bob, still enabled, types on.
    const auto still = unique_marker("bob-still-types");
    bob_session->send_line(print_command(still));
    EXPECT_TRUE(bob_session->expect(still + "\r\n", 20s));

    // The attack: alice logs in again with her registered key, at the prompt, straight to the
    // account, and as an invitee.
    expect_ssh_refused_with_t209(*bastion, "alice", alice_key, "");
    expect_ssh_refused_with_t209(*bastion, "alice", alice_key, account);
    expect_ssh_refused_with_t209(*bastion, "join", alice_key, "not-a-token");
    // Positive control on the same path: carol logs in; alice, enabled again, does too.
    auto carol_again = std::make_unique<PtySession>(bastion->ssh("carol", carol_key, account));
    EXPECT_TRUE(await_host_shell(*carol_again));
    bastion->admin_ok({"user", "enable", "alice"});
    auto alice_again = creator();
    const auto back = unique_marker("alice-is-back");
    alice_again->send_line(print_command(back));
    EXPECT_TRUE(alice_again->expect(back + "\r\n", 20s));

    const auto audit = bastion->admin_ok({"audit", "--user", "alice", "--event", "user"});
    EXPECT_NE(audit.out.find("user.disable"), std::string::npos) << audit.out;
    EXPECT_NE(audit.out.find("user.enable"), std::string::npos) << audit.out;
}

using UserDisableOnTheWeb = WebTest;

TEST_F(UserDisableOnTheWeb, DisabledUserIsRefusedWebLoginWithT209AndLosesTheOpenLogin) {
    const std::string before = login_as_alice();
    auto c = client();
    ASSERT_EQ(c.get("/api/me", with_cookie(before)).status, 200);

    ASSERT_EQ(bastion->admin({"user", "disable", "alice"}).exit_code, 0);
    // The login made before is over.
    EXPECT_EQ(client().get("/api/me", with_cookie(before)).status, 401);
    // The right password: refused with T_209, no cookie.
    auto r = client().post_json("/api/login", {{"user", "alice"}, {"password", alice_password}},
                                with_origin());
    EXPECT_EQ(r.status, 403) << r.describe();
    EXPECT_EQ(r.json().value("code", ""), "T_209") << r.describe();
    EXPECT_FALSE(r.has("Set-Cookie")) << r.describe();
    // A wrong password learns nothing about the disabling: the ordinary T_203.
    r = client().post_json("/api/login", {{"user", "alice"}, {"password", "guess"}}, with_origin());
    EXPECT_EQ(r.status, 401) << r.describe();
    EXPECT_EQ(r.json().value("code", ""), "T_203") << r.describe();

    // Positive control: bob logs in; alice, enabled again, too.
    const std::string bob = login_as("bob", bob_password);
    EXPECT_EQ(client().get("/api/me", with_cookie(bob)).status, 200);
    ASSERT_EQ(bastion->admin({"user", "enable", "alice"}).exit_code, 0);
    const std::string after = login_as_alice();
    EXPECT_EQ(client().get("/api/me", with_cookie(after)).status, 200);
}

}  // namespace
}  // namespace tandem::test
