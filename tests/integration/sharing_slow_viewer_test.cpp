// Output through a shared session (slow viewers): a viewer that stops reading must not
// slow the creator — the creator receives every byte (checksummed like the bulk test) — and once
// it reads again it is resynced to the creator's current screen, or was dropped with a message.
// Throughputs are measured and printed (no timing is asserted), including with three viewers.
// Nor does a viewer's arrival hold the output back: the notice it raises steps aside for it.
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <thread>

#include "harness/sharing_fixture.hpp"

namespace tandem::test {
namespace {

using SharingThroughput = SharingTest;

constexpr std::size_t kRandomBytes = 12'000'000;  // base64: 16.4 MB on the terminal

struct Burst {
    bool complete = false;  // the creator received every byte (checksum matched)
    std::size_t bytes = 0;  // terminal bytes between the markers
    double seconds = 0;
    std::string host_sum;
    double mb_per_s() const { return seconds > 0 ? static_cast<double>(bytes) / seconds / 1e6 : 0; }
};

// The host writes random bytes as base64 between BEGIN-2 and END-4 (arithmetic keeps the markers
// out of the echoed command line); the creator's copy is decoded and checksummed.
Burst burst(PtySession& alice, const std::string& scratch) {
    Burst b;
    alice.send_line("head -c " + std::to_string(kRandomBytes) + " /dev/urandom > " + scratch +
                    "; sha256sum " + scratch + " | sed 's/ .*/ SUM/'; echo BEGIN-$((1+1)); " +
                    "base64 -w 76 " + scratch + "; echo END-$((2+2)); rm -f " + scratch);
    if (!alice.expect(" SUM\r\n", 60s)) return b;
    const std::size_t sum_end = alice.cursor() - 6;
    b.host_sum = alice.transcript().substr(sum_end - 64, 64);
    if (!alice.expect("BEGIN-2\r\n")) return b;
    const std::size_t start = alice.cursor();
    auto t0 = Clock::now();
    if (!alice.expect("\r\nEND-4\r\n", 180s)) return b;
    b.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    const std::size_t end = alice.cursor() - 9;
    b.bytes = end - start;
    auto decoded = decode_base64_lines(alice.transcript(), start, end);
    b.complete = decoded && decoded->size() == kRandomBytes && sha256_hex(*decoded) == b.host_sum;
    return b;
}

// SIGSTOP/SIGCONT a process and everything under it (the invitee's ssh in its tmux pane).
void signal_tree(pid_t root, int sig) {
    ::kill(root, sig);
    for (pid_t p : descendants_of(root)) ::kill(p, sig);
}

TEST_F(SharingThroughput, StalledViewerDoesNotSlowTheCreatorAndIsResyncedOrDropped) {
    constexpr auto kStall = 15s;
    auto alice = creator();
    const Burst alone = burst(*alice, path("burst-alone"));
    ASSERT_TRUE(alone.complete) << "the creator's output without viewers was not byte-exact";

    auto invite = share(*alice);
    ASSERT_TRUE(invite);
    auto bob = join_screen(bob_key, invite->token);  // stalled
    auto carol = join(carol_key, invite->token);     // keeps reading
    const auto ready = unique_marker("ready");
    alice->send_line(print_command(ready));
    ASSERT_TRUE(alice->expect(ready + "\r\n"));
    ASSERT_TRUE(bob->expect_on_screen(ready, 30s));
    ASSERT_TRUE(carol->expect(ready, 30s));
    const pid_t bob_ssh = bob->pane_pid();
    ASSERT_GT(bob_ssh, 0);

    signal_tree(bob_ssh, SIGSTOP);
    const auto stalled_at = Clock::now();
    double carol_seconds = -1;
    std::thread carol_reads([&] {
        auto t0 = Clock::now();
        if (carol->wait_for("END-4", 60s))
            carol_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    });
    const Burst stalled = burst(*alice, path("burst-stalled"));
    carol_reads.join();
    EXPECT_TRUE(stalled.complete) << "with a stalled viewer the creator did not get every byte";
    EXPECT_GE(carol_seconds, 0) << "the viewer that kept reading never saw the end of the output";
    std::this_thread::sleep_until(stalled_at + kStall);  // the stall's length is the point
    signal_tree(bob_ssh, SIGCONT);

    std::printf(
        "[ measure  ] creator alone: %zu bytes in %.2f s (%.1f MB/s); with a viewer stalled %lld s "
        "and one reading: %.2f s (%.1f MB/s); the reading viewer saw the end after %.2f s\n",
        alone.bytes, alone.seconds, alone.mb_per_s(),
        static_cast<long long>(std::chrono::duration_cast<std::chrono::seconds>(kStall).count()),
        stalled.seconds, stalled.mb_per_s(), carol_seconds);

    // The creator's current screen: a known one.
    const auto final_mark = unique_marker("after-the-stall");
    alice->send_line("clear; " + print_command(final_mark));
    ASSERT_TRUE(alice->expect(final_mark + "\r\n", 20s));
    auto deadline = Clock::now() + 90s;
    bool resynced = false;
    while (!resynced && !bob->pane_dead() && Clock::now() < deadline) {
        auto rows = bob->screen();
        resynced = rows.size() >= 2 && rows[0] == final_mark &&
                   rows[1].find_last_of("#$") != std::string::npos;
        for (std::size_t r = 2; resynced && r < rows.size(); ++r) resynced = rows[r].empty();
        if (!resynced) std::this_thread::sleep_for(200ms);  // polling the stalled viewer's screen
    }
    if (bob->pane_dead()) {
        std::printf("[ observe  ] the stalled viewer was dropped; its screen:\n%s\n",
                    bob->screen_text().c_str());
        std::string text = bob->screen_text();
        EXPECT_NE(text.find_first_not_of(" \n"), std::string::npos)
            << "the dropped viewer was not told why";
    } else {
        EXPECT_TRUE(resynced) << "after resuming, the stalled viewer does not show the creator's "
                                 "screen:\n"
                              << bob->screen_text();
        std::printf("[ observe  ] the stalled viewer was resynced %.2f s after it resumed\n",
                    std::chrono::duration<double>(Clock::now() - (stalled_at + kStall)).count());
    }
    // Carol, who kept up, sees the same screen's content live.
    EXPECT_TRUE(carol->expect(final_mark, 20s));
}

// When each of the host's ticks reached this terminal, after the one that arrived at `since`,
// from TK-first to TK-last.
std::vector<Clock::time_point> tick_arrivals(PtySession& terminal, Clock::time_point since,
                                             int first, int last) {
    std::vector<Clock::time_point> at{since};
    for (int i = first; i <= last; ++i) {
        if (!terminal.wait_for("TK-" + std::to_string(i) + ".\r\n", 20s)) break;
        at.push_back(Clock::now());
    }
    return at;
}

double longest_gap_seconds(const std::vector<Clock::time_point>& at) {
    double longest = 0;
    for (std::size_t i = 1; i < at.size(); ++i)
        longest = std::max(longest, std::chrono::duration<double>(at[i] - at[i - 1]).count());
    return longest;
}

// A notice used to hold the host's output for its 2.5 s unless a key closed it: one person
// joining froze the session for the creator and every viewer (and a hundred viewers' queues
// overflowed into repaints). The host prints a tick every 100 ms while bob joins: alice and
// carol, who watches, get every tick with no gap near the notice's time, and still see the
// notice drawn.
TEST_F(SharingThroughput, AJoinNoticeDoesNotHoldTheSessionsOutput) {
    auto alice = creator();
    auto invite = share(*alice);
    ASSERT_TRUE(invite);
    auto carol = join(carol_key, invite->token);
    ASSERT_TRUE(alice->wait_for("carol joined", 30s)) << alice->tail();
    const auto ready = unique_marker("ready");
    alice->send_line(print_command(ready));
    ASSERT_TRUE(alice->expect(ready + "\r\n"));
    ASSERT_TRUE(carol->wait_for(ready, 30s)) << carol->tail();
    const std::size_t alice_from = alice->cursor(), carol_from = carol->cursor();

    constexpr int kTicks = 60, kJoinAt = 5;
    alice->send_line("for i in $(seq 1 " + std::to_string(kTicks) +
                     "); do echo TK-$i.; sleep 0.1; done");
    const std::string join_tick = "TK-" + std::to_string(kJoinAt) + ".\r\n";
    std::vector<Clock::time_point> carol_at;
    std::thread carol_reads([&] {
        if (carol->wait_for(join_tick, 20s))
            carol_at = tick_arrivals(*carol, Clock::now(), kJoinAt + 1, kTicks);
    });
    ASSERT_TRUE(alice->wait_for(join_tick, 20s));
    const auto joined_at = Clock::now();
    auto bob = join(bob_key, invite->token);
    const auto alice_at = tick_arrivals(*alice, joined_at, kJoinAt + 1, kTicks);
    carol_reads.join();

    EXPECT_EQ(alice_at.size(), static_cast<std::size_t>(kTicks - kJoinAt + 1))
        << "alice did not get every tick:\n"
        << alice->tail();
    EXPECT_EQ(carol_at.size(), static_cast<std::size_t>(kTicks - kJoinAt + 1))
        << "carol did not get every tick:\n"
        << carol->tail();
    EXPECT_TRUE(alice->saw("bob joined", alice_from, 1s)) << "alice was not told bob joined";
    EXPECT_TRUE(carol->saw("bob joined", carol_from, 1s)) << "carol was not told bob joined";
    // Ticks come 100 ms apart; a notice holding output stopped them for its 2.5 s.
    const double alice_gap = longest_gap_seconds(alice_at),
                 carol_gap = longest_gap_seconds(carol_at);
    std::printf(
        "[ measure  ] longest gap between ticks while bob joined: alice %.2f s, carol %.2f s\n",
        alice_gap, carol_gap);
    EXPECT_LT(alice_gap, 2.0) << "the creator's output stopped while the notice showed";
    EXPECT_LT(carol_gap, 2.0) << "the watching invitee's output stopped while the notice showed";
}

TEST_F(SharingThroughput, MeasureBytesPerSecondThroughASharedSessionWithThreeViewers) {
    std::string dave_key = bastion->add_user("dave");
    bastion->grant("dave", account);
    auto alice = creator();
    auto invite = share(*alice);
    ASSERT_TRUE(invite);
    std::vector<std::unique_ptr<PtySession>> viewers;
    for (const auto* key : {&bob_key, &carol_key, &dave_key})
        viewers.push_back(join(*key, invite->token));
    const auto ready = unique_marker("ready");
    alice->send_line(print_command(ready));
    ASSERT_TRUE(alice->expect(ready + "\r\n"));
    for (auto& v : viewers) ASSERT_TRUE(v->expect(ready, 30s));

    // Each viewer drains its own terminal concurrently, as three people's clients would. A viewer
    // that fell behind may be repainted from a snapshot, where END-4 arrives painted, not as a
    // line: the end is the marker itself, the stream is checked afterwards.
    std::vector<double> seen_after(viewers.size(), -1);
    std::vector<std::thread> readers;
    const auto sent_at = Clock::now();
    for (std::size_t i = 0; i < viewers.size(); ++i) {
        readers.emplace_back([&, i] {
            if (viewers[i]->wait_for("END-4", 60s))
                seen_after[i] = std::chrono::duration<double>(Clock::now() - sent_at).count();
        });
    }
    const Burst b = burst(*alice, path("burst-three"));
    const double creator_done = std::chrono::duration<double>(Clock::now() - sent_at).count();
    for (auto& t : readers) t.join();
    EXPECT_TRUE(b.complete) << "the creator did not get every byte";
    std::printf(
        "[ measure  ] 3 viewers: creator got %zu bytes in %.2f s (%.1f MB/s); its END-4 "
        "came %.2f s after the command was sent\n",
        b.bytes, b.seconds, b.mb_per_s(), creator_done);
    for (std::size_t i = 0; i < viewers.size(); ++i) {
        EXPECT_GE(seen_after[i], 0) << "viewer " << i << " never saw the end of the output";
        const std::string& t = viewers[i]->transcript();
        const auto begin = t.find("BEGIN-2\r\n");
        const auto end = t.rfind("\r\nEND-4\r\n");
        std::optional<std::string> decoded;
        if (begin != std::string::npos && end != std::string::npos && end > begin)
            decoded = decode_base64_lines(t, begin + 9, end);
        const bool exact =
            decoded && decoded->size() == kRandomBytes && sha256_hex(*decoded) == b.host_sum;
        std::printf(
            "[ measure  ]   viewer %zu: saw the end %.2f s after the command was sent, %s\n", i,
            seen_after[i],
            seen_after[i] < 0 ? "(never)"
            : exact           ? "every byte (checksum matched)"
                              : "not byte-exact (repainted from a snapshot on the way)");
    }
}

}  // namespace
}  // namespace tandem::test
