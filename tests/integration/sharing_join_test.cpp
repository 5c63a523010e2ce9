// Joining a shared session over SSH: an invitee who leaves with `exit` can come back with the
// same invite; the join time. Sharing and two invitees joining with their own keys run against
// both front ends in front_end_sharing_test.cpp.
#include <algorithm>
#include <cstdio>
#include <thread>

#include "harness/paths.hpp"
#include "harness/sharing_fixture.hpp"

namespace tandem::test {
namespace {

using SharingJoin = SharingTest;

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

// Figures: from starting `ssh join@...` to the invitee's screen equal to the creator's, first
// above the bottom row (where the welcome notice shows for a moment), then all of it (polled
// with tmux every ~20 ms, so the figures include up to one poll).
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
    ASSERT_GE(expected.size(), 3u);

    std::vector<double> to_screen;
    std::vector<double> to_all;
    for (int round = 0; round < 3; ++round) {
        auto t0 = Clock::now();
        TmuxClient bob(join_target(bob_key, invite->token), 80, 24);
        std::optional<double> screen_at;
        bool same = false;
        while (!same && Clock::now() - t0 < 30s) {
            const auto rows = bob.screen();
            const double now = std::chrono::duration<double>(Clock::now() - t0).count();
            if (!screen_at && rows.size() == expected.size() &&
                std::equal(expected.begin(), expected.end() - 2, rows.begin()))
                screen_at = now;
            same = rows == expected;
            if (same) to_all.push_back(now);
            if (!same) std::this_thread::sleep_for(20ms);  // polling the invitee's screen
        }
        ASSERT_TRUE(same) << "round " << round << ": the invitee's screen never matched:\n"
                          << bob.screen_text();
        ASSERT_TRUE(screen_at);
        to_screen.push_back(*screen_at);
        bob.send_key("C-]");
        bob.send_text("exit");
        bob.send_key("Enter");
        auto deadline = Clock::now() + 20s;
        while (!bob.pane_dead() && Clock::now() < deadline)
            std::this_thread::sleep_for(50ms);  // waiting for ssh to end before the next round
    }
    std::sort(to_screen.begin(), to_screen.end());
    std::sort(to_all.begin(), to_all.end());
    std::printf(
        "[ measure  ] ssh join -> creator's screen (all but the notice rows): min %.3f s, median "
        "%.3f s, max %.3f s; every row (after the welcome notice): median %.3f s\n",
        to_screen.front(), to_screen[1], to_screen.back(), to_all[1]);
}

}  // namespace
}  // namespace tandem::test
