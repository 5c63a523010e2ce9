// Sharing, once for each front end (tandem-sshd, OpenSSH): `share` prints the invite URL and the
// ssh line as this front end is reached; invitees join over SSH with their own key, or in a
// browser at the URL; control is requested, agreed or refused, and released;
// `unshare` forces everyone out and kills the invite; a person without a grant cannot join.
// Absence checks ("this typing never reached the host") are ordered, not timed: the typing is
// pushed through the same pipe as a later step the test waits for, and then the host itself is
// asked whether the canary file exists.
#include <cstdio>

#include "harness/browser_invitee.hpp"
#include "harness/front_end_fixture.hpp"
#include "harness/paths.hpp"

namespace tandem::test {
namespace {

class SharingScenario : public FrontEndTest {
  protected:
    bool with_broker() const override { return true; }

    // alice's session on the host with a marker on screen, shared: the invite is in `invite`.
    void share_alices_session() {
        alice_ssh = creator();
        on_screen = unique_marker("on-alices-screen");
        alice_ssh->send_line(print_command(on_screen));
        ASSERT_TRUE(alice_ssh->expect(on_screen + "\r\n"));
        share_from = alice_ssh->transcript().size();
        auto printed = share(*alice_ssh);
        ASSERT_TRUE(printed);
        invite = *printed;
    }

    // ... and bob watching it.
    void share_with_bob() {
        ASSERT_NO_FATAL_FAILURE(share_alices_session());
        bob = join(bob_key, invite.token);
        ASSERT_TRUE(bob->expect(on_screen, 30s));
        ASSERT_TRUE(alice_ssh->saw("bob joined", share_from, 15s)) << alice_ssh->tail();
    }

    // bob applies; he is told the request went out; alice sees it. Also a barrier: whatever bob
    // typed before has passed his viewer, the broker and alice's session hook by then.
    void bob_applies() {
        const std::size_t from = alice_ssh->transcript().size();
        invitee_command(*bob, "control");
        EXPECT_TRUE(bob->expect("Request sent", 15s));
        EXPECT_TRUE(alice_ssh->saw("bob applies for control", from, 15s)) << alice_ssh->tail();
    }

    // agree, refuse, take or who at alice's escape prompt. Also a barrier: alice's session has
    // read everything she typed before (the prompt is drawn only after).
    void alice_answers(const std::string& answer) {
        escape_command(*alice_ssh, answer);
        close_escape_prompt(*alice_ssh);
    }

    // Both see the output of a command the controller typed.
    void expect_both_see(const std::string& marker) {
        EXPECT_TRUE(alice_ssh->expect(marker + "\r\n", 20s)) << "the creator";
        EXPECT_TRUE(bob->expect(marker + "\r\n", 20s)) << "the invitee";
    }

    // The controller types a test of the file on the host; true when the host says it is absent.
    // Anything typed earlier that leaked to the host ran before it (one shell, in order).
    static bool host_lacks(PtySession& controller, const std::string& file) {
        const auto id = unique_marker("probe");
        controller.send_line("test -e " + file + " && echo pre''sent-" + id + " || echo ab''sent-" +
                             id);
        const auto answer = controller.expect_regex("(present|absent)-" + id, 20s);
        return answer.size() == 2 && answer[1] == "absent";
    }

    // After control came back to alice (`step`): her typing reaches the host, bob's does not.
    void expect_only_alice_types(const std::string& step) {
        const std::string by_alice = path("typed-by-alice-after-" + step);
        alice_ssh->send_line("touch " + by_alice);
        EXPECT_TRUE(file_appears(by_alice))
            << "after " << step << ", the creator's typing did not reach the host";
        const std::string bob_canary = path("bob-after-" + step);
        bob->send_line("touch " + bob_canary);
        bob_applies();  // barrier: bob's line has been through the broker and alice's hook
        EXPECT_TRUE(host_lacks(*alice_ssh, bob_canary))
            << "bob's typing reached the host after " << step;
    }

    // Declared after the fixture's processes' owners: destroyed first.
    std::unique_ptr<PtySession> alice_ssh;
    std::unique_ptr<PtySession> bob;
    std::string on_screen;
    std::size_t share_from = 0;
    Invite invite;
};

// The creator is given the URL and the ssh line for this front end; two invitees, each with
// their own key, see the current screen at once, are announced to the creator by name, and
// follow live output. (BrowserInviteeIsGivenControl... opens the URL in a browser.)
TEST_P(SharingScenario, ShareAndTwoInviteesJoinBySshWithTheirOwnKeys) {
    ASSERT_NO_FATAL_FAILURE(share_alices_session());
    const std::string reply = alice_ssh->transcript().substr(share_from);
    EXPECT_NE(reply.find(front_end->expected_join_line(invite.token)), std::string::npos)
        << "share did not print `" << front_end->expected_join_line("TOKEN") << "`:\n"
        << printable(reply);
    EXPECT_EQ(invite.url, front_end->web_url() + "/join#" + invite.token)
        << "share did not print the invite URL (web.public_url + /join#TOKEN):\n"
        << printable(reply);

    bob = join(bob_key, invite.token);
    auto carol = join(carol_key, invite.token);
    ASSERT_TRUE(bob->expect(on_screen, 30s)) << "bob does not see the screen as it is";
    ASSERT_TRUE(carol->expect(on_screen, 30s)) << "carol does not see the screen as it is";
    // The key named them (in either order).
    EXPECT_TRUE(alice_ssh->saw("bob joined", share_from, 15s)) << alice_ssh->tail();
    EXPECT_TRUE(alice_ssh->saw("carol joined", share_from, 15s)) << alice_ssh->tail();

    const auto live = unique_marker("live");
    alice_ssh->send_line(print_command(live));
    ASSERT_TRUE(alice_ssh->expect(live + "\r\n", 20s));
    EXPECT_TRUE(bob->expect(live + "\r\n", 20s));
    EXPECT_TRUE(carol->expect(live + "\r\n", 20s));
    EXPECT_FALSE(bob->exited());
    EXPECT_FALSE(carol->exited());
}

TEST_P(SharingScenario, AgreedInviteeTypesForEveryoneAndReleaseHandsControlBack) {
    ASSERT_NO_FATAL_FAILURE(share_with_bob());
    bob_applies();
    alice_answers("agree");
    ASSERT_TRUE(bob->expect("bob now controls the session", 15s));
    EXPECT_TRUE(alice_ssh->saw("bob now controls the session", share_from, 15s))
        << alice_ssh->tail();

    const auto by_bob = unique_marker("typed-by-bob");
    bob->send_line(print_command(by_bob));
    expect_both_see(by_bob);

    // The creator's keystrokes (other than the escape key) do not reach the host meanwhile.
    const std::string creator_canary = path("creator-canary");
    alice_ssh->send_line("touch " + creator_canary);
    alice_answers("who");  // barrier: alice's session has read the line above
    EXPECT_TRUE(host_lacks(*bob, creator_canary))
        << "the creator's typing reached the host while bob controlled the session";

    const std::size_t from = alice_ssh->transcript().size();
    invitee_command(*bob, "release");
    EXPECT_TRUE(alice_ssh->saw("alice now controls the session", from, 15s)) << alice_ssh->tail();
    ASSERT_TRUE(bob->expect("alice now controls the session", 15s));

    expect_only_alice_types("release");
}

// The creator can take control back at any time (`take`, docs/sharing.md).
TEST_P(SharingScenario, CreatorTakesControlBackWhileTheInviteeControls) {
    ASSERT_NO_FATAL_FAILURE(share_with_bob());
    bob_applies();
    alice_answers("agree");
    ASSERT_TRUE(bob->expect("bob now controls the session", 15s));
    const std::string bob_file = path("bob-controls");
    bob->send_line("touch " + bob_file);
    ASSERT_TRUE(file_appears(bob_file));

    const std::size_t from = alice_ssh->transcript().size();
    alice_answers("take");
    ASSERT_TRUE(bob->expect("alice now controls the session", 15s));
    EXPECT_TRUE(alice_ssh->saw("alice now controls the session", from, 15s)) << alice_ssh->tail();

    expect_only_alice_types("take");
}

TEST_P(SharingScenario, RefusedInviteeIsToldAndStillCannotType) {
    ASSERT_NO_FATAL_FAILURE(share_with_bob());
    bob_applies();
    alice_answers("refuse");
    ASSERT_TRUE(bob->expect("refused", 15s)) << "the invitee was not told of the refusal";

    const std::string canary = path("bob-after-refusal");
    bob->send_line("touch " + canary);
    // A refusal is not final: bob asks again (a barrier for his line above, too).
    bob_applies();
    EXPECT_TRUE(host_lacks(*alice_ssh, canary)) << "a refused invitee's typing reached the host";

    alice_answers("agree");
    ASSERT_TRUE(bob->expect("bob now controls the session", 15s));
    const std::string works = path("bob-after-agree");
    bob->send_line("touch " + works);
    EXPECT_TRUE(file_appears(works)) << "bob's typing did not reach the host once agreed";
}

TEST_P(SharingScenario, UnshareForcesEveryoneOutAtOnceAndTheInviteStopsWorking) {
    ASSERT_NO_FATAL_FAILURE(share_with_bob());
    auto carol = join(carol_key, invite.token);
    ASSERT_TRUE(carol->expect(on_screen, 30s));

    const auto t0 = Clock::now();
    alice_answers("unshare");
    EXPECT_TRUE(expect_ended_with(*bob, ErrorCode::T_704_share_cancelled, 15s));
    EXPECT_TRUE(expect_ended_with(*carol, ErrorCode::T_704_share_cancelled, 15s));
    const double out_after = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("[ measure  ] %s: both invitees out %.2f s after unshare\n",
                front_end_name(GetParam()).c_str(), out_after);
    EXPECT_LE(out_after, 5.0) << "invitees must be forced out at once";

    // alice's own session goes on.
    const auto still = unique_marker("still-working");
    alice_ssh->send_line(print_command(still));
    EXPECT_TRUE(alice_ssh->expect(still + "\r\n", 20s));

    // The old invite is dead for good, also after a new share, whose invite works.
    auto again = join(bob_key, invite.token);
    EXPECT_TRUE(expect_ended_with(*again, ErrorCode::T_704_share_cancelled));
    const auto fresh = share(*alice_ssh);
    ASSERT_TRUE(fresh);
    EXPECT_NE(fresh->token, invite.token);
    auto bob_again = join(bob_key, fresh->token);
    EXPECT_TRUE(bob_again->expect(still, 30s));
    auto old = join(carol_key, invite.token);
    EXPECT_TRUE(expect_ended_with(*old, ErrorCode::T_704_share_cancelled))
        << "the old invite came back to life";
}

// An invitee in a browser, whatever front end the creator came through: the printed URL leads
// to the login page and, with bob's web password, to the invitation; Enter shows the screen as
// it was and then live output; Apply for control reaches the creator, who agrees at the escape
// prompt; what bob types in the page runs on the host; once he releases control his typing no
// longer does; the creator's unshare ends the browser's session with T_704.
TEST_P(SharingScenario, BrowserInviteeWatchesIsGivenControlTypesReleasesAndIsEndedByUnshare) {
    const std::string why = BrowserInvitee::unavailable_reason();
    if (!why.empty()) GTEST_SKIP() << why;
    ASSERT_NO_FATAL_FAILURE(share_alices_session());
    ASSERT_EQ(invite.url, front_end->web_url() + "/join#" + invite.token);

    BrowserInvitee browser(path("browser.log"));
    ASSERT_TRUE(browser.open(invite.url, "bob", bob_web_password));
    ASSERT_TRUE(browser.click("Enter"));
    EXPECT_TRUE(browser.terminal_shows(on_screen)) << "the screen as it was before bob joined";
    EXPECT_TRUE(alice_ssh->saw("bob joined", share_from, 15s)) << alice_ssh->tail();
    const auto live = unique_marker("live");
    alice_ssh->send_line(print_command(live));
    ASSERT_TRUE(alice_ssh->expect(live + "\r\n", 20s));
    EXPECT_TRUE(browser.terminal_shows(live)) << "live output after bob joined";

    std::size_t from = alice_ssh->transcript().size();
    ASSERT_TRUE(browser.click("Apply for control"));
    ASSERT_TRUE(alice_ssh->saw("bob applies for control", from, 15s)) << alice_ssh->tail();
    alice_answers("agree");
    ASSERT_TRUE(browser.page_shows("You control the session"));
    const std::string typed = path("typed-in-the-browser");
    ASSERT_TRUE(browser.type_line("touch " + typed));
    EXPECT_TRUE(file_appears(typed)) << "typing in the browser did not reach the host";

    from = alice_ssh->transcript().size();
    ASSERT_TRUE(browser.click("Release control"));
    EXPECT_TRUE(alice_ssh->saw("alice now controls the session", from, 15s)) << alice_ssh->tail();
    EXPECT_TRUE(browser.page_shows("bob released control"));
    // Typing after the release is dropped. Applying again goes through the same socket after it
    // and is a barrier: once alice sees the request, the typing has been dealt with.
    const std::string canary = path("typed-in-the-browser-after-release");
    ASSERT_TRUE(browser.type_line("touch " + canary));
    from = alice_ssh->transcript().size();
    ASSERT_TRUE(browser.click("Apply for control"));
    ASSERT_TRUE(alice_ssh->saw("bob applies for control", from, 15s)) << alice_ssh->tail();
    EXPECT_TRUE(host_lacks(*alice_ssh, canary)) << "bob's typing reached the host after release";

    const auto t0 = Clock::now();
    alice_answers("unshare");
    ASSERT_TRUE(browser.page_shows("(code: T_704)")) << "the browser was not told the share ended";
    std::printf("[ measure  ] %s: the page showed T_704 %.2f s after unshare\n",
                front_end_name(GetParam()).c_str(),
                std::chrono::duration<double>(Clock::now() - t0).count());
}

TEST_P(SharingScenario, PersonWithoutAGrantOnTheAccountCannotJoin) {
    ASSERT_NO_FATAL_FAILURE(share_alices_session());
    auto dave = join(dave_key, invite.token);  // registered, no grant on the account
    EXPECT_TRUE(expect_ended_with(*dave, ErrorCode::T_302_no_grant));
    EXPECT_EQ(dave->transcript().find(on_screen), std::string::npos)
        << "a refused joiner saw the creator's screen";
}

INSTANTIATE_TEST_SUITE_P(FrontEnds, SharingScenario,
                         ::testing::Values(FrontEndKind::tandem_sshd, FrontEndKind::openssh),
                         front_end_test_name);

}  // namespace
}  // namespace tandem::test
