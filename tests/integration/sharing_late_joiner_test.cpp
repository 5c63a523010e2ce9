// A late joiner sees exactly the creator's screen: every cell (text and attributes) and the
// cursor, compared on two real screens of the same size (tmux capture-pane) — on the shell's
// main screen with colours, and inside vi (alternate screen), including what shows once vi quits.
#include <thread>

#include "harness/paths.hpp"
#include "harness/sharing_fixture.hpp"

namespace tandem::test {
namespace {

using SharingLateJoiner = SharingTest;

struct Screen {
    std::vector<std::string> rows;
    std::string cells;  // with attributes (capture-pane -e)
    TmuxClient::Cursor cursor;
    bool operator==(const Screen&) const = default;
};

Screen capture(const TmuxClient& tmux) {
    return {tmux.screen(), tmux.screen_with_attributes(), tmux.cursor()};
}

std::string cursor_text(const TmuxClient::Cursor& c) {
    return std::to_string(c.x) + "," + std::to_string(c.y) + (c.visible ? " visible" : " hidden");
}

std::string show(const Screen& s) {
    std::string out;
    for (std::size_t i = 0; i < s.rows.size(); ++i)
        out += (i < 10 ? " " : "") + std::to_string(i) + "|" + s.rows[i] + "\n";
    return out + "cursor " + cursor_text(s.cursor) + "\n";
}

// Notices (someone joined) come and go on both screens for a few seconds, so the screens are
// polled until they are equal; on timeout every difference is reported.
void expect_same_screens(const TmuxClient& creator, const TmuxClient& invitee,
                         const std::string& what, std::chrono::milliseconds timeout = 20s) {
    auto deadline = Clock::now() + timeout;
    Screen a, b;
    for (;;) {
        a = capture(creator);
        b = capture(invitee);
        if (a == b) return;
        if (Clock::now() >= deadline) break;
        std::this_thread::sleep_for(100ms);  // polling both screens for a condition
    }
    ADD_FAILURE() << what << ": the invitee's screen differs from the creator's.\n--- creator:\n"
                  << show(a) << "--- invitee:\n"
                  << show(b);
    EXPECT_EQ(b.rows, a.rows) << what << ": text";
    EXPECT_EQ(printable(b.cells), printable(a.cells)) << what << ": cells with attributes";
    EXPECT_EQ(cursor_text(b.cursor), cursor_text(a.cursor)) << what << ": cursor";
}

TEST_F(SharingLateJoiner, SeesTheShellScreenWithColoursAndCursorCellForCell) {
    auto alice = creator_screen();
    alice->send_text(
        "printf '\\033[1;31mred-%s\\033[0m \\033[42;30mgreen\\033[0m \\033[4munder\\033[0m\\n' "
        "$((40+2)); seq 1 6");
    alice->send_key("Enter");
    ASSERT_TRUE(alice->expect_on_screen("red-42 green under"));
    ASSERT_TRUE(alice->expect_on_screen("\n6\n"));
    auto invite = share(*alice);
    ASSERT_TRUE(invite);
    // A half-typed command line: the cursor is mid-row, not at a fresh prompt.
    alice->send_text("echo half-typed");
    ASSERT_TRUE(alice->expect_on_screen("echo half-typed"));
    alice->settled_screen();

    auto bob = join_screen(bob_key, invite->token);
    ASSERT_TRUE(bob->expect_on_screen("red-42 green under", 30s));
    expect_same_screens(*alice, *bob, "shell screen");

    // Live output keeps them equal.
    alice->send_key("C-u");
    alice->send_text("seq 100 130");
    alice->send_key("Enter");
    ASSERT_TRUE(alice->expect_on_screen("\n130\n"));
    expect_same_screens(*alice, *bob, "after live output");
}

// alice, in vi on a file of known lines, cursor mid-line; bob watched from the start.
class SharingLateJoinerInVi : public SharingLateJoiner {
  protected:
    void SetUp() override {
        SharingLateJoiner::SetUp();
        std::string lines;
        for (int i = 1; i <= 40; ++i)
            lines += "line " + std::to_string(i) + " of a file the late joiner must see\n";
        write_file(path("late-joiner.txt"), lines);

        alice = creator_screen();
        alice->send_text("printf '\\033[35mbefore-vi\\033[0m\\n'");
        alice->send_key("Enter");
        ASSERT_TRUE(alice->expect_on_screen("\nbefore-vi"));
        auto invite = share(*alice);
        ASSERT_TRUE(invite);
        token = invite->token;
        bob = join_screen(bob_key, token);
        ASSERT_TRUE(bob->expect_on_screen("before-vi", 30s));

        alice->send_text("vi -u NONE -i NONE " + path("late-joiner.txt"));
        alice->send_key("Enter");
        ASSERT_TRUE(alice->expect_on_screen("line 23 of a file"));
        alice->send_text("12G4w");  // the middle of the file, cursor mid-line
        alice->settled_screen();
    }

    void quit_vi() {
        alice->send_text(":q!");
        alice->send_key("Enter");
        ASSERT_TRUE(alice->wait_until_absent("line 12 of a file"));
        ASSERT_TRUE(alice->expect_on_screen("before-vi"));
        alice->settled_screen();
    }

    std::unique_ptr<TmuxClient> alice;
    std::unique_ptr<TmuxClient> bob;
    std::string token;
};

TEST_F(SharingLateJoinerInVi, JoiningDuringViSeesViCellForCellAndFollowsEdits) {
    expect_same_screens(*alice, *bob, "vi, watched from the start");
    auto carol = join_screen(carol_key, token);
    ASSERT_TRUE(carol->expect_on_screen("line 12 of a file", 30s));
    expect_same_screens(*alice, *carol, "vi, joined late");

    alice->send_text("Oinserted while carol watches");
    alice->send_key("Escape");
    ASSERT_TRUE(alice->expect_on_screen("inserted while carol watches\nline 12"));
    expect_same_screens(*alice, *carol, "vi after an edit");

    quit_vi();
    expect_same_screens(*alice, *bob, "shell after vi, watched from the start");
}

// Quitting vi brings back the shell's main screen. For someone who joined during vi, that needs
// the snapshot to carry the main screen kept under vi's alternate screen (a real terminal keeps
// both), or the late joiner's screen differs from the creator's from then on.
TEST_F(SharingLateJoinerInVi, LateJoinerSeesTheCreatorsShellScreenAfterViQuits) {
    auto carol = join_screen(carol_key, token);
    ASSERT_TRUE(carol->expect_on_screen("line 12 of a file", 30s));
    expect_same_screens(*alice, *carol, "vi, joined late");
    quit_vi();
    expect_same_screens(*alice, *carol, "shell after vi, joined late");
}

}  // namespace
}  // namespace tandem::test
