// Input from anyone but the controller never reaches the host (docs/sharing.md), whatever
// a client sends. A canary is a command that leaves a file on the host (which shares our
// filesystem) if it ever runs. Each test first proves the canary never ran, then proves the
// same path DOES work once control was granted — so the test can fail.
#include <thread>

#include "harness/broker_client.hpp"
#include "harness/paths.hpp"
#include "harness/sharing_fixture.hpp"

namespace tandem::test {
namespace {

using SharingCanary = SharingTest;

// The creator runs a command after the canary was sent and sees its output: had the canary's
// keystrokes been forwarded, the host would have run them by now; a little extra time covers
// any reordering between the two paths.
void creator_flushes(PtySession& alice) {
    const auto mark = unique_marker("flush");
    alice.send_line(print_command(mark));
    EXPECT_TRUE(alice.expect(mark + "\r\n", 20s));
    std::this_thread::sleep_for(2s);  // absence: give a forwarded canary time to have run
}

TEST_F(SharingCanary, InviteeWithoutControlNeverReachesTheHost) {
    auto alice = creator();
    auto invite = share(*alice);
    ASSERT_TRUE(invite);
    auto bob = join(bob_key, invite->token);
    const auto ready = unique_marker("ready");
    alice->send_line(print_command(ready));
    ASSERT_TRUE(bob->expect(ready, 30s));

    // Typed plainly, as a pasted block, and after a literal escape key (^] ^]).
    const std::string typed = path("canary-typed");
    const std::string pasted = path("canary-pasted");
    const std::string escaped = path("canary-after-escape");
    bob->send_line("touch " + typed);
    bob->send("\x1b[200~touch " + pasted + "\r\x1b[201~");
    bob->send("\x1d\x1dtouch " + escaped + "\r");
    creator_flushes(*alice);
    EXPECT_FALSE(file_exists(typed)) << "a non-controller's typing reached the host";
    EXPECT_FALSE(file_exists(pasted)) << "a non-controller's paste reached the host";
    EXPECT_FALSE(file_exists(escaped)) << "a non-controller's escaped input reached the host";

    // The same keyboard, once control is granted, does reach the host.
    invitee_command(*bob, "control");
    ASSERT_TRUE(alice->saw("bob applies for control", 0, 15s)) << alice->tail();
    escape_command(*alice, "agree");
    close_escape_prompt(*alice);
    ASSERT_TRUE(bob->expect("bob now controls the session", 15s));
    const std::string controlled = path("controlled");
    bob->send_line("touch " + controlled);
    EXPECT_TRUE(file_appears(controlled)) << "the controller's typing did not reach the host";
    EXPECT_FALSE(file_exists(typed)) << "the canary was only delayed, not dropped";
}

// A client that speaks the broker protocol itself (a modified join hook) and sends keystrokes
// without holding control: the broker must drop them.
TEST_F(SharingCanary, RawViewerSendingInputWithoutControlIsIgnoredByTheBroker) {
    auto alice = creator();
    auto invite = share(*alice);
    ASSERT_TRUE(invite);

    BrokerClient raw(bastion->broker_socket());
    raw.send_json(FrameType::hello, {{"v", 1},
                                     {"role", "viewer"},
                                     {"user", "bob"},
                                     {"token", invite->token},
                                     {"via", "ssh"},
                                     {"from", "127.0.0.1"},
                                     {"cols", 80},
                                     {"rows", 24}});
    auto welcome = raw.await(FrameType::reply, 15s);
    ASSERT_TRUE(welcome) << "the broker did not answer the viewer's hello";
    auto body = nlohmann::json::parse(welcome->payload, nullptr, false);
    ASSERT_TRUE(body.is_object() && body.value("ok", false)) << welcome->payload;
    ASSERT_TRUE(alice->saw("bob joined", 0, 15s)) << alice->tail();

    const std::string raw_canary = path("raw-canary");
    raw.send(FrameType::input, "touch " + raw_canary + "\r");
    // Commands a viewer may not give: answering its own request, taking control.
    raw.send_json(FrameType::command, {{"id", 1}, {"cmd", "agree"}});
    raw.send_json(FrameType::command, {{"id", 2}, {"cmd", "take"}});
    raw.send(FrameType::input, "touch " + raw_canary + "-2\r");
    creator_flushes(*alice);
    EXPECT_FALSE(file_exists(raw_canary)) << "the broker forwarded a non-controller's input";
    EXPECT_FALSE(file_exists(raw_canary + "-2"))
        << "the broker forwarded input after a viewer's agree/take";

    // Positive control: apply, the creator agrees, and the raw client's input now arrives.
    raw.send_json(FrameType::command, {{"id", 3}, {"cmd", "control"}});
    ASSERT_TRUE(alice->saw("bob applies for control", 0, 15s)) << alice->tail();
    escape_command(*alice, "agree");
    close_escape_prompt(*alice);
    ASSERT_TRUE(alice->saw("bob now controls the session", 0, 15s)) << alice->tail();
    const std::string controlled = path("raw-controlled");
    raw.send(FrameType::input, "touch " + controlled + "\r");
    EXPECT_TRUE(file_appears(controlled)) << "the controlling raw viewer's input did not arrive";
    EXPECT_FALSE(file_exists(raw_canary)) << "the canary was only delayed, not dropped";
}

}  // namespace
}  // namespace tandem::test
