// A creator whose access is withdrawn while the session runs (tandem-admin revoke, user del)
// is put out within session.access_recheck with T_306; the recording and the store say so.
// Another person's session on the same account, still granted, carries on.
#include <cstdio>
#include <filesystem>

#include "harness/paths.hpp"
#include "harness/sharing_fixture.hpp"

namespace tandem::test {
namespace {

constexpr double kBoundSeconds = 5.0;  // the contract: within the re-check period, at most 5 s

// The newest .cast file whose name carries `user` (names are TIME-USER-ACCOUNT-UUID.cast).
std::string recording_of(const std::string& dir, const std::string& user) {
    std::string found;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        const auto name = entry.path().filename().string();
        if (entry.path().extension() == ".cast" && name.find("-" + user + "-") != std::string::npos)
            found = std::max(found, entry.path().string());
    }
    return found;
}

std::string last_line(const std::string& text) {
    auto end = text.find_last_not_of('\n');
    if (end == std::string::npos) return {};
    const auto start = text.rfind('\n', end);
    return text.substr(start == std::string::npos ? 0 : start + 1, end - start);
}

// Both people on the host's shell: alice (the creator, sharing) and bob with his own session.
class AccessRevocation : public SharingTest {
  protected:
    std::vector<std::string> sshd_overrides() const override {
        return {"--session.access_recheck=1s"};
    }

    void SetUp() override {
        SharingTest::SetUp();
        alice_session = creator();
        bob_session = std::make_unique<PtySession>(bastion->ssh("bob", bob_key, account));
        ASSERT_TRUE(await_host_shell(*bob_session));
        const auto ready = unique_marker("ready");
        alice_session->send_line(print_command(ready));
        ASSERT_TRUE(alice_session->expect(ready + "\r\n"));
    }

    // alice is out with T_306 within the bound; bob still types to the host.
    void expect_alice_out_and_bob_working(Clock::time_point t0, const char* what) {
        ASSERT_TRUE(alice_session->expect(seen(ErrorCode::T_306_access_revoked), 20s));
        const double out_after = seconds_since(t0);
        std::printf("[ measure  ] alice's session closed %.2f s after %s\n", out_after, what);
        EXPECT_LE(out_after, kBoundSeconds);
        EXPECT_TRUE(alice_session->read_all_until_exit(20s)) << "alice's ssh did not end";

        // Positive control: bob's session on the same account, still granted, works on.
        const auto live = unique_marker("bob-still-types");
        bob_session->send_line(print_command(live));
        EXPECT_TRUE(bob_session->expect(live + "\r\n", 20s));
        EXPECT_FALSE(bob_session->exited());

        // The recording ends with what alice was told, and the store keeps the reason.
        const auto cast = recording_of(bastion->recordings_dir(), "alice");
        ASSERT_FALSE(cast.empty()) << "no recording of alice's session";
        EXPECT_NE(last_line(read_file(cast)).find("T_306"), std::string::npos)
            << "the recording does not end with T_306:\n"
            << last_line(read_file(cast));
        const auto sessions = bastion->admin_ok({"sessions"});
        EXPECT_NE(sessions.out.find("T_306"), std::string::npos) << sessions.out;
    }

    std::unique_ptr<PtySession> alice_session;
    std::unique_ptr<PtySession> bob_session;
};

TEST_F(AccessRevocation, RevokedCreatorIsPutOutWithT306WhileAnotherGrantedUserWorksOn) {
    // A shared session with carol in it: the share ends for her with T_708.
    auto invite = share(*alice_session);
    ASSERT_TRUE(invite);
    auto carol = join(carol_key, invite->token);
    const auto watched = unique_marker("carol-watches");
    alice_session->send_line(print_command(watched));
    ASSERT_TRUE(carol->expect(watched, 30s)) << "carol never saw alice's screen";
    bastion->revoke("alice", account);
    const auto t0 = Clock::now();  // the revocation is in the store once the command returned
    expect_alice_out_and_bob_working(t0, "tandem-admin revoke");
    EXPECT_TRUE(expect_ended_with(*carol, ErrorCode::T_708_grant_revoked, 20s));
}

TEST_F(AccessRevocation, DeletedUserIsPutOutWithT306WhileAnotherGrantedUserWorksOn) {
    bastion->admin_ok({"user", "del", "alice"});
    const auto t0 = Clock::now();
    expect_alice_out_and_bob_working(t0, "tandem-admin user del");
}

// Without a broker the re-check works the same: it lives in the session, not in sharing.
class AccessRevocationWithoutBroker : public BastionTest {
  protected:
    std::vector<std::string> sshd_overrides() const override {
        return {"--session.access_recheck=1s"};
    }
};

TEST_F(AccessRevocationWithoutBroker, RevokedUserIsPutOutWithT306AndReturnsToThePrompt) {
    auto ssh = alice();
    ASSERT_TRUE(connect_from_prompt(*ssh, account));
    const auto ready = unique_marker("ready");
    ssh->send_line(print_command(ready));
    ASSERT_TRUE(ssh->expect(ready + "\r\n"));

    bastion->revoke("alice", account);
    const auto t0 = Clock::now();
    ASSERT_TRUE(ssh->expect(seen(ErrorCode::T_306_access_revoked), 20s));
    std::printf("[ measure  ] closed %.2f s after tandem-admin revoke (no broker)\n",
                seconds_since(t0));
    EXPECT_LE(seconds_since(t0), kBoundSeconds);
    // Back at the bastion prompt, where connecting again is refused.
    ASSERT_TRUE(ssh->expect(kPrompt, 20s));
    ssh->send_line("connect " + account);
    EXPECT_TRUE(ssh->expect(seen(ErrorCode::T_302_no_grant), 20s));
}

}  // namespace
}  // namespace tandem::test
