// A share outlives its broker (docs/sharing.md, "Broker restarts"). Killed with SIGKILL or
// stopped with SIGTERM mid-share, then started again: the creator never stops typing, the
// invitees (ssh and browser) are told they are reconnecting and are back on the live screen
// without logging in again, and the same invite link still lets a new invitee in. A share the
// creator cancelled before the restart does not come back with it.
#include <cstdio>
#include <thread>

#include "harness/browser_invitee.hpp"
#include "harness/front_end_fixture.hpp"
#include "harness/paths.hpp"

namespace tandem::test {
namespace {

class ShareSurvivesBrokerRestart : public FrontEndTest {
  protected:
    bool with_broker() const override { return true; }

    // alice's session, a marker on screen, shared (invite in `invite`), bob watching over ssh.
    void share_with_bob() {
        alice_ssh = creator();
        const auto on_screen = unique_marker("before-restart");
        alice_ssh->send_line(print_command(on_screen));
        ASSERT_TRUE(alice_ssh->expect(on_screen + "\r\n"));
        auto printed = share(*alice_ssh);
        ASSERT_TRUE(printed);
        invite = *printed;
        bob = join(bob_key, invite.token);
        ASSERT_TRUE(bob->expect(on_screen, 30s)) << bob->tail();
    }

    // alice types a marker and sees it; returns it.
    std::string alice_prints(const std::string& prefix) {
        const auto marker = unique_marker(prefix);
        alice_ssh->send_line(print_command(marker));
        EXPECT_TRUE(alice_ssh->expect(marker + "\r\n", 20s))
            << "the creator's session paused with the broker:\n"
            << alice_ssh->tail();
        return marker;
    }

    std::size_t count_audit(const std::string& action) {
        const std::string out = bastion->admin_ok({"audit", "--event", action}).out;
        std::size_t n = 0;
        for (auto at = out.find(action); at != std::string::npos; at = out.find(action, at + 1))
            ++n;
        return n;
    }

    std::unique_ptr<PtySession> alice_ssh;
    std::unique_ptr<PtySession> bob;
    Invite invite;
};

TEST_P(ShareSurvivesBrokerRestart, KilledBrokerEveryoneReconnectsAndTheSameInviteStillWorks) {
    const std::string why = BrowserInvitee::unavailable_reason();
    if (!why.empty()) GTEST_SKIP() << why;
    ASSERT_NO_FATAL_FAILURE(share_with_bob());
    BrowserInvitee browser(path("browser.log"));
    ASSERT_TRUE(browser.open(invite.url, "bob", bob_web_password));
    ASSERT_TRUE(browser.click("Enter"));
    const auto joined = alice_prints("both-in");
    ASSERT_TRUE(browser.terminal_shows(joined));

    bastion->kill_broker();
    alice_prints("during-outage");  // the creator never waits for the broker
    EXPECT_TRUE(bob->expect("reconnecting", 20s)) << bob->tail();
    EXPECT_TRUE(browser.page_shows("Reconnecting")) << "the browser was not told";

    bastion->restart_broker();
    const auto restarted = Clock::now();
    const auto after = alice_prints("after-restart");
    // Back on the live screen by themselves: the same ssh process, the same browser page (its
    // login outlived the broker).
    EXPECT_TRUE(bob->expect(after, 30s)) << "the ssh invitee did not come back:\n" << bob->tail();
    std::printf("[ measure  ] the ssh invitee saw the live screen %.2f s after the restart\n",
                std::chrono::duration<double>(Clock::now() - restarted).count());
    EXPECT_TRUE(browser.terminal_shows(after)) << "the browser invitee did not come back";
    EXPECT_TRUE(browser.page_shows("Reconnected"));
    const auto live = alice_prints("live-after-restart");
    EXPECT_TRUE(bob->expect(live + "\r\n", 20s));
    EXPECT_TRUE(browser.terminal_shows(live));

    // The invite link from before the crash lets a new invitee in.
    auto carol = join(carol_key, invite.token);
    EXPECT_TRUE(carol->expect(live, 30s)) << "the old invite stopped working:\n" << carol->tail();
    EXPECT_EQ(count_audit("share.resume"), 1u);
    const auto listed = bastion->admin_ok({"sessions", "--live"}).out;
    EXPECT_NE(listed.find("carol (ssh)"), std::string::npos) << listed;
}

TEST_P(ShareSurvivesBrokerRestart, StoppedBrokerResumesTheShareButNotOneTheCreatorCancelled) {
    ASSERT_NO_FATAL_FAILURE(share_with_bob());

    // SIGTERM (systemctl restart): the broker tells the invitee to reconnect, not that it ended.
    bastion->stop_broker();
    EXPECT_TRUE(bob->expect("reconnecting", 20s)) << bob->tail();
    alice_prints("while-stopped");
    bastion->restart_broker();
    const auto back = alice_prints("after-sigterm");
    EXPECT_TRUE(bob->expect(back, 30s)) << "the invitee did not come back:\n" << bob->tail();

    // Cancelled, then the broker is killed and restarted: the old link stays dead (the control:
    // a fresh share works at once).
    escape_command(*alice_ssh, "unshare");
    close_escape_prompt(*alice_ssh);
    EXPECT_TRUE(expect_ended_with(*bob, ErrorCode::T_704_share_cancelled));
    const auto registrations = count_audit("session.register");
    bastion->kill_broker();
    bastion->restart_broker();
    for (auto until = Clock::now() + 30s;
         count_audit("session.register") == registrations && Clock::now() < until;)
        std::this_thread::sleep_for(200ms);  // until alice's hook is back
    ASSERT_GT(count_audit("session.register"), registrations) << "the hook never came back";
    auto fresh = share(*alice_ssh);
    ASSERT_TRUE(fresh) << alice_ssh->tail();
    auto carol = join(carol_key, invite.token);
    EXPECT_TRUE(expect_ended_with(*carol, ErrorCode::T_704_share_cancelled))
        << "a cancelled share came back after a restart";
    auto carol_again = join(carol_key, fresh->token);
    const auto now_live = alice_prints("fresh-share");
    EXPECT_TRUE(carol_again->expect(now_live, 30s)) << carol_again->tail();
}

INSTANTIATE_TEST_SUITE_P(FrontEnds, ShareSurvivesBrokerRestart,
                         ::testing::Values(FrontEndKind::tandem_sshd), front_end_test_name);

}  // namespace
}  // namespace tandem::test
