// How a share ends (an invite never outlives its share; docs/sharing.md): the creator leaving the
// host, the host stopping to answer (T_514) and a revoked grant each force the invitees
// concerned out at once with a message saying why, and a dead invite never works again.
// `unshare` runs against both front ends in front_end_sharing_test.cpp.
#include <cstdio>

#include "harness/paths.hpp"
#include "harness/sharing_fixture.hpp"

namespace tandem::test {
namespace {

using SharingEnding = SharingTest;

// alice's session shared, with bob and carol watching.
struct SharedScene {
    std::unique_ptr<PtySession> alice;
    std::unique_ptr<PtySession> bob;
    std::unique_ptr<PtySession> carol;
    std::string token;
};

class SharingEndingWithTwo : public SharingEnding {
  protected:
    void SetUp() override {
        SharingEnding::SetUp();
        scene.alice = creator();
        const auto ready = unique_marker("ready");
        scene.alice->send_line(print_command(ready));
        ASSERT_TRUE(scene.alice->expect(ready + "\r\n"));
        auto invite = share(*scene.alice);
        ASSERT_TRUE(invite);
        scene.token = invite->token;
        scene.bob = join(bob_key, scene.token);
        scene.carol = join(carol_key, scene.token);
        ASSERT_TRUE(scene.bob->expect(ready, 30s));
        ASSERT_TRUE(scene.carol->expect(ready, 30s));
    }
    SharedScene scene;
};

TEST_F(SharingEndingWithTwo, CreatorLeavingTheHostEndsTheShareWithT705AndKillsTheInvite) {
    auto t0 = Clock::now();
    scene.alice->send_line("exit");
    EXPECT_TRUE(expect_ended_with(*scene.bob, ErrorCode::T_705_session_ended, 15s));
    EXPECT_TRUE(expect_ended_with(*scene.carol, ErrorCode::T_705_session_ended, 15s));
    std::printf("[ measure  ] both invitees out %.2f s after the creator's exit\n",
                seconds_since(t0));
    EXPECT_LE(seconds_since(t0), 10.0);
    EXPECT_TRUE(scene.alice->read_all_until_exit(20s)) << "the creator's ssh did not end";

    auto again = join(bob_key, scene.token);
    EXPECT_TRUE(expect_ended_with(*again, ErrorCode::T_705_session_ended));
}

TEST_F(SharingEndingWithTwo, RevokedGrantEjectsThatInviteeWithinSecondsWithT708) {
    auto t0 = Clock::now();
    bastion->revoke("bob", account);
    EXPECT_TRUE(expect_ended_with(*scene.bob, ErrorCode::T_708_grant_revoked, 20s));
    const double ejected_after = seconds_since(t0);
    std::printf("[ measure  ] bob ejected %.2f s after tandem-admin revoke\n", ejected_after);
    EXPECT_LE(ejected_after, 10.0) << "a revoked grant must eject within seconds";

    // Only bob: carol still watches live output.
    const auto live = unique_marker("carol-still-watches");
    scene.alice->send_line(print_command(live));
    EXPECT_TRUE(scene.carol->expect(live + "\r\n", 20s));
    EXPECT_FALSE(scene.carol->exited());

    // And bob cannot come back with the same invite.
    auto again = join(bob_key, scene.token);
    EXPECT_TRUE(expect_ended_with(*again, ErrorCode::T_302_no_grant));
}

// Closing the session from the bastion prompt's side: `share LOGIN@HOST` connects and shares at
// once; leaving the host returns alice to the prompt and ends the share.
TEST_F(SharingEnding, ShareAtThePromptConnectsAndSharesAndLeavingTheHostEndsIt) {
    auto alice_ssh = alice();
    ASSERT_TRUE(alice_ssh->expect(kPrompt, 60s));
    alice_ssh->send_line("share " + account);
    auto line = alice_ssh->expect_regex(
        R"(ssh -p \d+ join@\S+ ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+))", 60s);
    ASSERT_EQ(line.size(), 2u);
    const std::string token = line[1];
    // The invite stays on screen until a key dismisses it (that key is not sent to the host).
    alice_ssh->send("\r");
    ASSERT_TRUE(await_host_shell(*alice_ssh));
    const auto mark = unique_marker("prompt-share");
    alice_ssh->send_line(print_command(mark));
    ASSERT_TRUE(alice_ssh->expect(mark + "\r\n"));

    auto bob = join(bob_key, token);
    ASSERT_TRUE(bob->expect(mark, 30s));
    alice_ssh->send_line("exit");
    ASSERT_TRUE(alice_ssh->expect(kPrompt, 30s)) << "leaving the host returns to the prompt";
    EXPECT_TRUE(expect_ended_with(*bob, ErrorCode::T_705_session_ended, 15s));
}

class SharingKeepalive : public SharingTest {
  protected:
    std::vector<std::string> sshd_overrides() const override {
        return {"--target.keepalive_interval=1s", "--target.keepalive_count=3"};
    }
};

TEST_F(SharingKeepalive, HostThatStopsAnsweringEndsTheShareWithT514ForEveryone) {
    auto alice_ssh = creator();
    auto invite = share(*alice_ssh);
    ASSERT_TRUE(invite);
    auto bob = join(bob_key, invite->token);
    const auto ready = unique_marker("ready");
    alice_ssh->send_line(print_command(ready));
    ASSERT_TRUE(bob->expect(ready, 30s));

    host->freeze();
    EXPECT_TRUE(alice_ssh->expect(seen(ErrorCode::T_514_host_unresponsive), 60s));
    EXPECT_TRUE(expect_ended_with(*bob, ErrorCode::T_514_host_unresponsive, 30s));
    host->thaw();
}

}  // namespace
}  // namespace tandem::test
