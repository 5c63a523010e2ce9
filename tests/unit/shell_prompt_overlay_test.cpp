// The overlay is judged the way the user sees it: its bytes are fed to a model of the user's
// terminal (libvterm with the alternate screen enabled) and the screen after closing must be
// cell-for-cell and cursor-for-cursor the screen before opening.
#include "prompt_overlay.hpp"

#include <vterm.h>

#include <gtest/gtest.h>

namespace tandem {
namespace {

constexpr int rows = 12;
constexpr int cols = 40;

struct Cell {
    std::uint32_t ch;
    bool bold;
    bool reverse;
    VTermColor fg;
    VTermColor bg;
    bool operator==(const Cell& o) const {
        return ch == o.ch && bold == o.bold && reverse == o.reverse &&
               vterm_color_is_equal(&fg, &o.fg) && vterm_color_is_equal(&bg, &o.bg);
    }
};

struct Snapshot {
    std::vector<Cell> cells;
    VTermPos cursor;
    bool operator==(const Snapshot& o) const {
        return cells == o.cells && cursor.row == o.cursor.row && cursor.col == o.cursor.col;
    }
};

class UserTerminal {
  public:
    UserTerminal() : vt_(vterm_new(rows, cols)) {
        vterm_set_utf8(vt_, 1);
        screen_ = vterm_obtain_screen(vt_);
        vterm_screen_enable_altscreen(screen_, 1);
        vterm_screen_reset(screen_, 1);
    }
    ~UserTerminal() { vterm_free(vt_); }
    void write(std::string_view bytes) { vterm_input_write(vt_, bytes.data(), bytes.size()); }
    Snapshot snapshot() const {
        Snapshot s;
        for (int r = 0; r < rows; ++r) {
            for (int c = 0; c < cols; ++c) {
                VTermScreenCell cell;
                vterm_screen_get_cell(screen_, VTermPos{r, c}, &cell);
                s.cells.push_back({cell.chars[0], cell.attrs.bold != 0, cell.attrs.reverse != 0,
                                   cell.fg, cell.bg});
            }
        }
        vterm_state_get_cursorpos(vterm_obtain_state(vt_), &s.cursor);
        return s;
    }
    std::string row_text(int row) const {
        std::string text;
        for (int c = 0; c < cols; ++c) {
            VTermScreenCell cell;
            vterm_screen_get_cell(screen_, VTermPos{row, c}, &cell);
            text.push_back(cell.chars[0] ? static_cast<char>(cell.chars[0]) : ' ');
        }
        return text.substr(0, text.find_last_not_of(' ') + 1);
    }

  private:
    VTerm* vt_;
    VTermScreen* screen_;
};

// Host output goes to both the user's terminal and the mirror, as the relay does.
void host(UserTerminal& terminal, AltScreenMirror& mirror, std::string_view bytes) {
    terminal.write(bytes);
    mirror.feed(bytes);
}

std::string full_screen_program() {
    std::string out = "\x1b[?1049h\x1b[H\x1b[2J";
    for (int r = 1; r <= rows; ++r) {
        out += "\x1b[" + std::to_string(r) + ";1H";
        out += (r % 2) ? "\x1b[1;31;44m" : "\x1b[0;7m";
        out += "line " + std::to_string(r) + " of the editor ~~~~~~~~~~~~~";
    }
    out += "\x1b[0;32m\x1b[5;9H";  // pen and cursor somewhere in the middle
    return out;
}

TEST(ShellPromptOverlay, MainScreenIsRestoredExactly) {
    UserTerminal terminal;
    AltScreenMirror mirror(rows, cols);
    std::string shell_output;
    for (int i = 0; i < 30; ++i)
        shell_output +=
            "\x1b[3" + std::to_string(i % 8) + "m$ output " + std::to_string(i) + "\r\n";
    shell_output += "\x1b[0m$ half-typed";
    host(terminal, mirror, shell_output);
    const auto before = terminal.snapshot();

    PromptOverlay overlay(mirror);
    terminal.write(overlay.show({"[tandem] hel"}));
    EXPECT_TRUE(overlay.is_open());
    EXPECT_EQ(terminal.row_text(rows - 1), "[tandem] hel");
    terminal.write(overlay.show({"commands: help", "[tandem] "}));
    EXPECT_EQ(terminal.row_text(rows - 2), "commands: help");
    terminal.write(overlay.close());
    EXPECT_FALSE(overlay.is_open());
    EXPECT_EQ(terminal.snapshot(), before);
}

TEST(ShellPromptOverlay, AWholeScreenMirrorKeepsTheScreenVisibleBehindANotice) {
    // A join viewer's mirror keeps the main screen: a notice covers its own rows only, and the
    // joiner still sees the session's screen above it; closing restores it exactly.
    UserTerminal terminal;
    AltScreenMirror mirror(rows, cols, true);
    std::string shell_output;
    for (int i = 0; i < rows; ++i)
        shell_output += "\x1b[1;3" + std::to_string(i % 8) + "mrow " + std::to_string(i) + "\r\n";
    shell_output += "\x1b[0m$ ";
    host(terminal, mirror, shell_output);
    const auto before = terminal.snapshot();
    const std::string row0 = terminal.row_text(0);
    const std::string row3 = terminal.row_text(3);

    PromptOverlay overlay(mirror);
    terminal.write(overlay.show({"bob joined (ssh from 10.0.0.5)"}));
    EXPECT_EQ(terminal.row_text(rows - 1), "bob joined (ssh from 10.0.0.5)");
    EXPECT_EQ(terminal.row_text(0), row0);
    EXPECT_EQ(terminal.row_text(3), row3);
    terminal.write(overlay.close());
    EXPECT_EQ(terminal.snapshot(), before);
}

TEST(ShellPromptOverlay, FullScreenProgramIsRepaintedExactly) {
    UserTerminal terminal;
    AltScreenMirror mirror(rows, cols);
    host(terminal, mirror, full_screen_program());
    ASSERT_TRUE(mirror.alt_screen_active());
    const auto before = terminal.snapshot();

    PromptOverlay overlay(mirror);
    const auto open = overlay.show({"[tandem] "});
    EXPECT_EQ(open.find("\x1b[?1049h"), std::string::npos);  // already on the alternate screen
    terminal.write(open);
    EXPECT_EQ(terminal.row_text(rows - 1), "[tandem]");
    terminal.write(overlay.show({"commands: help", "second line", "[tandem] x"}));
    terminal.write(overlay.show({"[tandem] xy"}));  // fewer lines: rows above are repainted
    EXPECT_EQ(terminal.row_text(rows - 2).substr(0, 7), "line 11");
    terminal.write(overlay.close());
    EXPECT_EQ(terminal.snapshot(), before);
}

TEST(ShellPromptOverlay, LongLinesWrapWholeAndEscapesAreNeutralised) {
    // On the main screen the overlay is the terminal's scratch screen: an invite URL longer
    // than the width wraps there and stays whole.
    UserTerminal terminal;
    AltScreenMirror mirror(rows, cols);
    host(terminal, mirror, "prompt$ ");
    const auto before = terminal.snapshot();
    PromptOverlay overlay(mirror);
    const std::string url = "https://bastion/join#" + std::string(150, 'x');
    terminal.write(overlay.show({url + "\x1b[31m", "[tandem] "}));
    std::string shown;
    for (int r = 0; r < rows; ++r) shown += terminal.row_text(r);
    EXPECT_NE(shown.find(url + "?[31m"), std::string::npos) << shown;
    terminal.write(overlay.close());
    EXPECT_EQ(terminal.snapshot(), before);
}

TEST(ShellPromptOverlay, LongLinesOverAFullScreenProgramAreSplitIntoRows) {
    UserTerminal terminal;
    AltScreenMirror mirror(rows, cols);
    host(terminal, mirror, "\x1b[?1049h\x1b[H\x1b[2Jfull screen");
    const auto before = terminal.snapshot();
    PromptOverlay overlay(mirror);
    terminal.write(overlay.show({std::string(2 * (cols - 1), 'x'), "[tandem] "}));
    EXPECT_EQ(terminal.row_text(rows - 3), std::string(cols - 1, 'x'));
    EXPECT_EQ(terminal.row_text(rows - 2), std::string(cols - 1, 'x'));
    EXPECT_EQ(terminal.row_text(0), "full screen");  // nothing scrolled
    terminal.write(overlay.close());
    EXPECT_EQ(terminal.snapshot(), before);
}

TEST(ShellPromptOverlay, CloseWhenNotOpenWritesNothing) {
    AltScreenMirror mirror(rows, cols);
    PromptOverlay overlay(mirror);
    EXPECT_EQ(overlay.close(), "");
}

}  // namespace
}  // namespace tandem
