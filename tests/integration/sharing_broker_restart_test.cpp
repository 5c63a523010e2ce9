// A session does not need the broker (docs/architecture.md): killed with SIGKILL while the
// creator works, the creator's session goes on, `share` answers T_701, joining answers T_716,
// the invitee already in is told it is reconnecting; restarted, the hook reconnects by itself
// and within seconds `share` works, the invitee is back and new ones join.
// (share_survives_broker_restart_test.cpp: the same invite links, browsers, SIGTERM.)
#include <cstdio>
#include <thread>

#include "harness/paths.hpp"
#include "harness/sharing_fixture.hpp"

namespace tandem::test {
namespace {

using SharingBrokerRestart = SharingTest;

// One `share` attempt: the invite, or nullopt when the creator was told T_701 (or nothing
// came within the timeout, which adds a failure).
std::optional<Invite> try_share(PtySession& alice, bool& told_t701) {
    const std::size_t from = alice.transcript().size();
    escape_command(alice, "share");
    auto deadline = Clock::now() + 10s;
    told_t701 = false;
    std::optional<Invite> invite;
    while (Clock::now() < deadline) {
        const std::string reply = alice.transcript().substr(from);
        if (reply.find(user_message(ErrorCode::T_701_broker_down)) != std::string::npos) {
            told_t701 = true;
            break;
        }
        invite = find_invite(reply);
        if (invite) break;
        alice.read_for(100ms);
    }
    close_escape_prompt(alice);
    if (!invite && !told_t701)
        ADD_FAILURE() << "share answered neither an invite nor T_701:\n" << alice.tail();
    return invite;
}

TEST_F(SharingBrokerRestart, CreatorsSessionSurvivesABrokerCrashAndShareWorksAgainAfterRestart) {
    auto alice = creator();
    auto first = share(*alice);
    ASSERT_TRUE(first) << "sharing must work before the crash";
    auto bob = join(bob_key, first->token);
    const auto ready = unique_marker("ready");
    alice->send_line(print_command(ready));
    ASSERT_TRUE(bob->expect(ready, 30s));
    const auto bob_listed = [&] {
        return bastion->admin_ok({"sessions", "--live"}).out.find("bob (ssh)") != std::string::npos;
    };
    for (auto until = Clock::now() + 10s; !bob_listed() && Clock::now() < until;)
        std::this_thread::sleep_for(200ms);  // the broker writes the share as bob joins
    EXPECT_TRUE(bob_listed()) << "the store must show bob in the share before the crash";

    bastion->kill_broker();

    // The creator keeps working, and the watcher is not left hanging.
    const auto during = unique_marker("during-outage");
    alice->send_line(print_command(during));
    EXPECT_TRUE(alice->expect(during + "\r\n", 20s)) << "the session stopped with the broker";
    // The invitee is told, and waits for the broker rather than leaving.
    EXPECT_TRUE(bob->expect("reconnecting", 20s)) << "the invitee was not told:\n" << bob->tail();

    // share says why it cannot, in the creator's words; joining too.
    bool told = false;
    EXPECT_FALSE(try_share(*alice, told));
    EXPECT_TRUE(told) << "share while the broker is down must answer T_701:\n" << alice->tail();
    auto carol = join(carol_key, first->token);
    EXPECT_TRUE(expect_ended_with(*carol, ErrorCode::T_716_join_unavailable));
    const auto still = unique_marker("still-working");
    alice->send_line(print_command(still));
    EXPECT_TRUE(alice->expect(still + "\r\n", 20s));

    // Back: the hook reconnects by itself; within a few seconds share works again.
    bastion->restart_broker();
    auto restarted = Clock::now();
    std::optional<Invite> invite;
    while (!invite && Clock::now() - restarted < 30s) {
        invite = try_share(*alice, told);
        if (!invite) std::this_thread::sleep_for(500ms);  // retrying as a user would
    }
    ASSERT_TRUE(invite) << "share did not work again within 30 s of the broker's restart";
    const double back_after = std::chrono::duration<double>(Clock::now() - restarted).count();
    std::printf("[ measure  ] share worked again %.2f s after the broker restarted\n", back_after);
    EXPECT_LE(back_after, 10.0) << "the hook must reconnect within a few seconds";
    EXPECT_NE(invite->token, first->token);

    auto bob_again = join(bob_key, invite->token);
    EXPECT_TRUE(bob_again->expect(still, 30s)) << "the late joiner's screen after the restart";
    const auto live = unique_marker("live-after-restart");
    alice->send_line(print_command(live));
    EXPECT_TRUE(alice->expect(live + "\r\n", 20s));
    EXPECT_TRUE(bob_again->expect(live + "\r\n", 20s));
    EXPECT_TRUE(bob->expect(live, 20s)) << "the first invitee did not come back";
}

TEST_F(SharingBrokerRestart, SessionStartedWhileTheBrokerIsDownCanBeSharedOnceItIsBack) {
    bastion->stop_broker();
    auto alice = creator();
    bool told = false;
    EXPECT_FALSE(try_share(*alice, told));
    EXPECT_TRUE(told) << alice->tail();

    bastion->restart_broker();
    auto restarted = Clock::now();
    std::optional<Invite> invite;
    while (!invite && Clock::now() - restarted < 30s) {
        invite = try_share(*alice, told);
        if (!invite) std::this_thread::sleep_for(500ms);  // retrying as a user would
    }
    ASSERT_TRUE(invite) << "a session that began without the broker never became shareable";
    std::printf("[ measure  ] share worked %.2f s after the broker started\n",
                std::chrono::duration<double>(Clock::now() - restarted).count());
    auto bob = join(bob_key, invite->token);
    const auto mark = unique_marker("shared-late");
    alice->send_line(print_command(mark));
    EXPECT_TRUE(bob->expect(mark, 30s));
}

}  // namespace
}  // namespace tandem::test
