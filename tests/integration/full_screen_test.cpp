// A full-screen program on the managed host through the bastion, checked on a real screen
// (tmux): vi paints every row, takes input, and quitting brings the shell's screen back.
#include "harness/bastion_fixture.hpp"
#include "harness/tmux_client.hpp"

namespace tandem::test {
namespace {

using FullScreen = BastionTest;

// A shell prompt at the end of a row: "root@host:~#" (tmux trims the trailing blank).
constexpr const char* kShellPromptRow = R"([#$]$)";

TEST_F(FullScreen, ViPaintsTheWholeScreenTakesInputAndQuitRestoresTheShellScreen) {
    TmuxClient screen(bastion->ssh("alice", alice_key, account), 80, 24);
    ASSERT_GE(screen.expect_row_matching(kShellPromptRow, 60s), 0);

    std::string file = tmp / "vi-test.txt";
    screen.send_text("vi -u NONE -i NONE " + file);
    ASSERT_TRUE(screen.expect_on_screen("vi-test.txt"));
    auto before = screen.screen();

    screen.send_key("Enter");
    ASSERT_TRUE(screen.expect_on_screen("~\n~\n~"));
    auto rows = screen.screen();
    ASSERT_EQ(rows.size(), 24u);
    EXPECT_EQ(rows[0], "");
    for (int r = 1; r < 23; ++r) EXPECT_EQ(rows[r], "~") << "row " << r;
    EXPECT_NE(rows[23].find("vi-test.txt"), std::string::npos) << rows[23];

    screen.send_text("ihello from vi");
    screen.send_key("Escape");
    ASSERT_TRUE(screen.expect_on_screen("hello from vi\n~"));

    screen.send_text(":q!");
    screen.send_key("Enter");
    ASSERT_TRUE(screen.wait_until_absent("~\n~\n~"));
    // The main screen is back as it was, with a fresh prompt below the vi command line.
    int prompt_row = screen.expect_row_matching(kShellPromptRow);
    auto after = screen.screen();
    int vi_row = -1;
    for (std::size_t i = 0; i < before.size(); ++i)
        if (before[i].find("vi -u NONE") != std::string::npos) vi_row = static_cast<int>(i);
    ASSERT_GE(vi_row, 0);
    for (int r = 0; r <= vi_row; ++r) EXPECT_EQ(after[r], before[r]) << "row " << r;
    EXPECT_GT(prompt_row, 0);
    EXPECT_NE(after[vi_row + 1].find_last_of("#$"), std::string::npos) << after[vi_row + 1];
}

}  // namespace
}  // namespace tandem::test
