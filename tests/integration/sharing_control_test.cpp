// Control handover (DESIGN.md §6 rule 5): the creator can `take` control back at any time, and
// notices do not corrupt a full-screen program's display. Request, agree, the invitee typing,
// release and refuse run against both front ends in front_end_sharing_test.cpp.
#include <thread>

#include "harness/paths.hpp"
#include "harness/sharing_fixture.hpp"

namespace tandem::test {
namespace {

using SharingControl = SharingTest;

class SharingControlWithBob : public SharingControl {
  protected:
    void SetUp() override {
        SharingControl::SetUp();
        alice_ssh = creator();
        const auto ready = unique_marker("ready");
        alice_ssh->send_line(print_command(ready));
        ASSERT_TRUE(alice_ssh->expect(ready + "\r\n"));
        auto invite = share(*alice_ssh);
        ASSERT_TRUE(invite);
        token = invite->token;
        bob = join(bob_key, token);
        ASSERT_TRUE(bob->expect(ready, 30s));
        ASSERT_TRUE(alice_ssh->saw("bob joined", 0, 15s)) << alice_ssh->tail();
    }

    // bob applies; he is told the request went out; alice sees it.
    void bob_applies() {
        const std::size_t from = alice_ssh->transcript().size();
        invitee_command(*bob, "control");
        EXPECT_TRUE(bob->expect("Request sent", 15s));
        EXPECT_TRUE(alice_ssh->saw("bob applies for control", from, 15s)) << alice_ssh->tail();
    }

    void alice_answers(const std::string& answer) {
        escape_command(*alice_ssh, answer);
        close_escape_prompt(*alice_ssh);
    }

    // Both see the output of a command the controller typed.
    void expect_both_see(const std::string& marker) {
        EXPECT_TRUE(alice_ssh->expect(marker + "\r\n", 20s)) << "the creator";
        EXPECT_TRUE(bob->expect(marker + "\r\n", 20s)) << "the invitee";
    }

    std::unique_ptr<PtySession> alice_ssh;
    std::unique_ptr<PtySession> bob;
    std::string token;
};

TEST_F(SharingControlWithBob, CreatorTakesControlBackWhileTheInviteeControls) {
    bob_applies();
    alice_answers("agree");
    ASSERT_TRUE(bob->expect("bob now controls the session", 15s));
    const std::string bob_file = path("bob-controls");
    bob->send_line("touch " + bob_file);
    ASSERT_TRUE(file_appears(bob_file));

    const std::size_t from = alice_ssh->transcript().size();
    alice_answers("take");
    ASSERT_TRUE(bob->expect("alice now controls the session", 15s));
    EXPECT_TRUE(alice_ssh->saw("alice now controls the session", from, 15s));

    const std::string alice_file = path("alice-took-back");
    alice_ssh->send_line("touch " + alice_file);
    EXPECT_TRUE(file_appears(alice_file))
        << "after take, the creator's typing did not reach the host";
    const std::string canary = path("bob-after-take");
    bob->send_line("touch " + canary);
    const auto mark = unique_marker("after-take");
    alice_ssh->send_line(print_command(mark));
    expect_both_see(mark);
    std::this_thread::sleep_for(1s);  // absence: give a stray command time to have run
    EXPECT_FALSE(file_exists(canary)) << "bob's typing reached the host after alice took control";
}

// A control request arriving while the creator is in vi shows as a notice and then vi's screen
// is exactly as before (DESIGN.md §4: notices without corrupting a full-screen program).
TEST_F(SharingControl, RequestNoticeOverViLeavesViScreenIntact) {
    write_file(path("notice.txt"), "first line\nsecond line\nthird line\n");
    auto alice = creator_screen();
    auto invite = share(*alice);
    ASSERT_TRUE(invite);
    alice->send_text("vi -u NONE -i NONE " + path("notice.txt"));
    alice->send_key("Enter");
    ASSERT_TRUE(alice->expect_on_screen("third line\n~"));
    auto bob = join(bob_key, invite->token);
    ASSERT_TRUE(bob->expect("third line", 30s));
    // The "bob joined" notice comes and goes first.
    const std::string before = alice->settled_screen(3500ms, 20s);
    const auto cursor = alice->cursor();
    ASSERT_NE(before.find("second line"), std::string::npos);

    invitee_command(*bob, "control");
    ASSERT_TRUE(alice->expect_on_screen("bob applies for control", 15s));
    ASSERT_TRUE(alice->wait_until_absent("bob applies for control", 15s));
    EXPECT_EQ(printable(alice->settled_screen(800ms)), printable(before))
        << "vi's screen was not restored after the notice";
    EXPECT_EQ(alice->cursor(), cursor);

    // vi still has alice's keyboard (she still controls: the request is only pending).
    alice->send_text("Gofourth line");
    alice->send_key("Escape");
    EXPECT_TRUE(alice->expect_on_screen("third line\nfourth line\n~"));
}

}  // namespace
}  // namespace tandem::test
