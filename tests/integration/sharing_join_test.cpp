// Joining a shared session over SSH: the creator shares, invitees join with `ssh join@bastion
// TOKEN` and their own key, see the creator's current screen at once and then live output;
// an invitee who leaves with `exit` can come back with the same invite. Prints the join time.
#include <algorithm>
#include <cstdio>
#include <thread>

#include "harness/paths.hpp"
#include "harness/sharing_fixture.hpp"

namespace tandem::test {
namespace {

using SharingJoin = SharingTest;

TEST_F(SharingJoin, TwoInviteesSeeTheCreatorsScreenAtOnceThenLiveOutput) {
    auto alice_ssh = creator();
    const auto before = unique_marker("before-share");
    alice_ssh->send_line(print_command(before));
    ASSERT_TRUE(alice_ssh->expect(before + "\r\n"));

    const std::size_t share_from = alice_ssh->cursor();
    auto invite = share(*alice_ssh);
    ASSERT_TRUE(invite);
    // What the creator is given to pass on: the URL and the ssh line, as the bastion is reached.
    EXPECT_EQ(invite->port, bastion->port()) << "the ssh line names another port";
    EXPECT_EQ(invite->url, "https://localhost:8443/join#" + invite->token)
        << "share did not print the invite URL (web.public_url + /join#TOKEN):\n"
        << printable(alice_ssh->transcript().substr(share_from));

    auto bob = join_screen(bob_key, invite->token);
    auto carol = join_screen(carol_key, invite->token);
    // The screen as it was before they came: the marker printed before sharing.
    ASSERT_TRUE(bob->expect_on_screen(before, 30s));
    ASSERT_TRUE(carol->expect_on_screen(before, 30s));
    // The creator is told who came (in either order).
    EXPECT_TRUE(alice_ssh->saw("bob joined", share_from, 15s)) << alice_ssh->tail();
    EXPECT_TRUE(alice_ssh->saw("carol joined", share_from, 15s)) << alice_ssh->tail();

    // Then live output, on both screens.
    const auto live = unique_marker("live");
    alice_ssh->send_line(print_command(live));
    ASSERT_TRUE(alice_ssh->expect(live + "\r\n", 20s));
    EXPECT_TRUE(bob->expect_on_screen(live + "\n", 20s));
    EXPECT_TRUE(carol->expect_on_screen(live + "\n", 20s));
    EXPECT_FALSE(bob->pane_dead());
    EXPECT_FALSE(carol->pane_dead());
}

TEST_F(SharingJoin, RejoinAfterExitWithTheSameInviteWorks) {
    auto alice_ssh = creator();
    const auto first = unique_marker("first");
    alice_ssh->send_line(print_command(first));
    ASSERT_TRUE(alice_ssh->expect(first + "\r\n"));
    auto invite = share(*alice_ssh);
    ASSERT_TRUE(invite);

    auto bob = join(bob_key, invite->token);
    ASSERT_TRUE(bob->expect(first, 30s));
    const std::size_t left_from = alice_ssh->cursor();
    invitee_command(*bob, "exit");
    auto status = bob->read_all_until_exit(20s);
    ASSERT_TRUE(status) << "exit did not end the invitee's ssh:\n" << bob->tail();
    EXPECT_EQ(*status, 0) << "leaving with exit is not an error:\n" << bob->tail();
    EXPECT_TRUE(alice_ssh->saw("bob left", left_from, 15s)) << alice_ssh->tail();

    // Same URL, same person: in again, with the current screen and live output.
    const auto second = unique_marker("second");
    alice_ssh->send_line(print_command(second));
    ASSERT_TRUE(alice_ssh->expect(second + "\r\n"));
    auto again = join(bob_key, invite->token);
    ASSERT_TRUE(again->expect(second, 30s));
    const auto live = unique_marker("live");
    alice_ssh->send_line(print_command(live));
    ASSERT_TRUE(alice_ssh->expect(live + "\r\n"));
    EXPECT_TRUE(again->expect(live + "\r\n", 20s));
}

// Figure for the lead: from starting `ssh join@...` to the invitee's screen equal to the
// creator's (polled with tmux every ~50 ms, so the figure includes up to one poll).
TEST_F(SharingJoin, MeasureTimeFromSshJoinToTheFirstFullScreen) {
    auto alice_screen = creator_screen();
    // A screen full of distinct rows, so a partial paint cannot pass for the full one.
    alice_screen->send_text("clear; seq -f 'row-%g-of-the-creators-screen' 1 22");
    alice_screen->send_key("Enter");
    ASSERT_TRUE(alice_screen->expect_on_screen("row-22-of-the-creators-screen"));
    auto invite = share(*alice_screen);
    ASSERT_TRUE(invite);
    alice_screen->settled_screen();
    const auto expected = alice_screen->screen();

    std::vector<double> seconds;
    for (int round = 0; round < 3; ++round) {
        auto t0 = Clock::now();
        TmuxClient bob(join_target(bob_key, invite->token), 80, 24);
        bool same = false;
        while (!same && Clock::now() - t0 < 30s) {
            same = bob.screen() == expected;
            if (!same) std::this_thread::sleep_for(20ms);  // polling the invitee's screen
        }
        ASSERT_TRUE(same) << "round " << round << ": the invitee's screen never matched:\n"
                          << bob.screen_text();
        seconds.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
        bob.send_key("C-]");
        bob.send_text("exit");
        bob.send_key("Enter");
        auto deadline = Clock::now() + 20s;
        while (!bob.pane_dead() && Clock::now() < deadline)
            std::this_thread::sleep_for(50ms);  // waiting for ssh to end before the next round
    }
    std::sort(seconds.begin(), seconds.end());
    std::printf(
        "[ measure  ] ssh join -> first full screen: min %.3f s, median %.3f s, max %.3f s\n",
        seconds.front(), seconds[1], seconds.back());
}

}  // namespace
}  // namespace tandem::test
