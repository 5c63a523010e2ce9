// The escape key (^]) opens the in-session prompt over the user's screen; leaving it restores
// the screen exactly (checked on a real screen with tmux); ^] ^] sends one literal ^].
#include "harness/bastion_fixture.hpp"
#include "harness/markers.hpp"
#include "harness/tmux_client.hpp"

namespace tandem::test {
namespace {

using EscapeKey = BastionTest;

constexpr const char* kShellPromptRow = R"([#$]$)";

// What the screen looks like, exactly: every cell with its attributes, and the cursor.
struct ScreenState {
    std::string cells;
    TmuxClient::Cursor cursor;
};

ScreenState capture(const TmuxClient& screen) {
    return {screen.settled_screen(800ms), screen.cursor()};
}

void expect_same_screen(const ScreenState& before, const ScreenState& after) {
    EXPECT_EQ(after.cells, before.cells) << "the screen was not restored";
    EXPECT_EQ(after.cursor.x, before.cursor.x) << "cursor column";
    EXPECT_EQ(after.cursor.y, before.cursor.y) << "cursor row";
    EXPECT_EQ(after.cursor.visible, before.cursor.visible) << "cursor visibility";
}

// The in-session prompt as drawn on the bottom row.
constexpr const char* kEscapePrompt = "[tandem]";

// Opens the prompt, asks for help and checks the listing, then leaves with `leave_key`
// (Escape, or Enter on the empty line).
void open_help_and_leave(TmuxClient& screen, const std::string& leave_key) {
    screen.send_key("C-]");
    int row = screen.expect_row_matching(R"(^\[tandem\] ?$)", 20s);
    EXPECT_EQ(row, 23) << "the prompt belongs on the bottom row";
    screen.send_text("help");
    ASSERT_TRUE(screen.expect_on_screen(std::string(kEscapePrompt) + " help"));
    screen.send_key("Enter");
    ASSERT_TRUE(
        screen.expect_on_screen("commands: share [TTL], unshare, who, agree, refuse, take, help"));
    ASSERT_TRUE(screen.expect_on_screen("^] again sends ^]"));
    screen.send_key(leave_key);
    ASSERT_TRUE(screen.wait_until_absent(kEscapePrompt));
}

TEST_F(EscapeKey, PromptHelpAndLeavingRestoresTheShellScreen) {
    TmuxClient screen(bastion->ssh("alice", alice_key, account), 80, 24);
    ASSERT_GE(screen.expect_row_matching(kShellPromptRow, 60s), 0);
    // Some content worth restoring, including colour.
    screen.send_text("printf '\\033[1;31mred-%s\\033[0m\\n' $((40+2)); seq 1 15");
    screen.send_key("Enter");
    ASSERT_TRUE(screen.expect_on_screen("\n15\n"));
    // The typed line no longer ends in the prompt sign: a matching row is the fresh prompt.
    ASSERT_GE(screen.expect_row_matching(kShellPromptRow), 0);
    auto before = capture(screen);
    ASSERT_NE(before.cells.find("red-42"), std::string::npos);

    open_help_and_leave(screen, "Escape");
    auto after = capture(screen);
    expect_same_screen(before, after);

    // The session is still live after the prompt.
    screen.send_text("echo after-$((5+5))");
    screen.send_key("Enter");
    EXPECT_TRUE(screen.expect_on_screen("\nafter-10"));
}

TEST_F(EscapeKey, LeavingThePromptInsideViRestoresViScreen) {
    TmuxClient screen(bastion->ssh("alice", alice_key, account), 80, 24);
    ASSERT_GE(screen.expect_row_matching(kShellPromptRow, 60s), 0);
    screen.send_text("vi -u NONE -i NONE " + tmp / "escape-vi.txt");
    screen.send_key("Enter");
    ASSERT_TRUE(screen.expect_on_screen("~\n~\n~"));
    screen.send_text("iline one");
    screen.send_key("Enter");
    screen.send_text("line two");
    screen.send_key("Escape");
    ASSERT_TRUE(screen.expect_on_screen("line one\nline two\n~"));
    auto before = capture(screen);

    open_help_and_leave(screen, "Enter");
    auto after = capture(screen);
    expect_same_screen(before, after);

    // vi still has the keyboard: the edit continues where it was.
    screen.send_text("othird");
    screen.send_key("Escape");
    EXPECT_TRUE(screen.expect_on_screen("line one\nline two\nthird\n~"));
    screen.send_text(":q!");
    screen.send_key("Enter");
    EXPECT_GE(screen.expect_row_matching(kShellPromptRow), 0);
}

TEST_F(EscapeKey, EscapeKeyTwiceSendsOneLiteralEscapeByte) {
    auto ssh = alice(account);
    ASSERT_TRUE(await_host_shell(*ssh));
    // The host reads exactly two bytes from its terminal and shows them in hex. The keys wait
    // for the command's own output: the echoed command line comes back while readline still
    // holds the terminal without ICRNL, and a CR typed then reaches head as a CR.
    const auto ready = unique_marker("od-ready");
    ssh->send_line(print_command(ready) + "; head -c 2 | od -An -tx1 | sed 's/^/OD:/'");
    ASSERT_TRUE(ssh->expect(ready + "\r\n"));
    ssh->send("\x1d\x1d");
    ssh->send("\r");
    // One 0x1d and the newline: had both ^] passed, the two bytes would be "1d 1d".
    ASSERT_TRUE(ssh->expect("OD: 1d 0a"));
    EXPECT_EQ(ssh->transcript().find("OD: 1d 1d"), std::string::npos);
}

}  // namespace
}  // namespace tandem::test
