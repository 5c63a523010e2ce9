#include "tandem/alt_screen_mirror.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tandem/screen_state.hpp"

namespace tandem {
namespace {

void expect_same_screen(const ScreenState& want, const ScreenState& got) {
    for (int r = 0; r < want.rows(); ++r) {
        for (int c = 0; c < want.cols(); ++c) {
            ASSERT_TRUE(want.cell(r, c) == got.cell(r, c))
                << "cell " << r << "," << c << "; row want '" << want.row_text(r) << "' got '"
                << got.row_text(r) << "'";
        }
    }
    EXPECT_EQ(want.cursor_row(), got.cursor_row());
    EXPECT_EQ(want.cursor_col(), got.cursor_col());
    EXPECT_EQ(want.cursor_visible(), got.cursor_visible());
    EXPECT_TRUE(want.pen() == got.pen());
}

// What a full-screen editor sends: main-screen output, the switch, a full draw, a status line.
std::string editor_session() {
    std::string s = "$ vi notes.txt\r\n\x1b[1;32mmain screen text\x1b[m\r\n";
    s += "\x1b[?1049h\x1b[?1h\x1b=\x1b[H\x1b[2J";
    s += "first line \xe6\x97\xa5\xe6\x9c\xac\r\n\x1b[1;34mint\x1b[m main() {}\r\n";
    for (int r = 4; r <= 23; ++r) s += "\x1b[" + std::to_string(r) + ";1H\x1b[1;34m~\x1b[m";
    s += "\x1b[24;1H\x1b[7m-- INSERT --\x1b[m\x1b[24;60H\x1b[44m 2,5 \x1b[K";
    s += "\x1b[2;5H\x1b[33m";  // the editor leaves the cursor and a yellow pen here
    return s;
}

// The session hook's prompt drawn over the last row of the user's terminal.
const std::string prompt_overlay = "\x1b[24;1H\x1b[0m\x1b[2K\x1b[1mtandem>\x1b[0m help\x1b[?25h";

// Feeds `host` in chunks cut at `cuts` to both the mirror and the user's (reference) terminal.
void feed_chunks(const std::string& host, const std::vector<std::size_t>& cuts,
                 AltScreenMirror& mirror, ScreenState& user_terminal) {
    std::size_t pos = 0;
    for (std::size_t cut : cuts) {
        mirror.feed(std::string_view(host).substr(pos, cut - pos));
        user_terminal.feed(std::string_view(host).substr(pos, cut - pos));
        pos = cut;
    }
    mirror.feed(std::string_view(host).substr(pos));
    user_terminal.feed(std::string_view(host).substr(pos));
}

TEST(AltScreenMirror, InactiveOnTheMainScreen) {
    AltScreenMirror mirror(24, 80);
    mirror.feed("plain output\r\n\x1b[31mred\x1b[m\r\n");
    EXPECT_FALSE(mirror.alt_screen_active());
    EXPECT_EQ(mirror.repaint_rows(0, 24), "");
}

TEST(AltScreenMirror, RepaintRestoresTheRowThePromptOverwrote) {
    const std::string host = editor_session();
    AltScreenMirror mirror(24, 80);
    ScreenState user_terminal(24, 80);
    feed_chunks(host, {}, mirror, user_terminal);
    ASSERT_TRUE(mirror.alt_screen_active());
    ScreenState expected(24, 80);
    expected.feed(host);

    user_terminal.feed(prompt_overlay);
    EXPECT_EQ(user_terminal.row_text(23), "tandem> help");
    user_terminal.feed(mirror.repaint_rows(23, 24));
    expect_same_screen(expected, user_terminal);
    EXPECT_EQ(user_terminal.row_text(23).substr(0, 12), "-- INSERT --");
}

TEST(AltScreenMirror, EntrySplitAtEveryByte) {
    const std::string host = editor_session();
    const std::size_t entry = host.find("\x1b[?1049h");
    ScreenState expected(24, 80);
    expected.feed(host);
    for (std::size_t cut = entry; cut <= entry + 12; ++cut) {
        AltScreenMirror mirror(24, 80);
        ScreenState user_terminal(24, 80);
        feed_chunks(host, {cut, cut + 1}, mirror, user_terminal);
        user_terminal.feed(prompt_overlay);
        user_terminal.feed(mirror.repaint_rows(20, 24));
        SCOPED_TRACE("cut at " + std::to_string(cut));
        expect_same_screen(expected, user_terminal);
        if (HasFailure()) return;
    }
}

TEST(AltScreenMirror, OneByteChunks) {
    const std::string host = editor_session();
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < host.size(); ++i) cuts.push_back(i);
    AltScreenMirror mirror(24, 80);
    ScreenState user_terminal(24, 80);
    feed_chunks(host, cuts, mirror, user_terminal);
    ScreenState expected(24, 80);
    expected.feed(host);
    user_terminal.feed(prompt_overlay);
    user_terminal.feed(mirror.repaint_rows(0, 24));
    expect_same_screen(expected, user_terminal);
}

TEST(AltScreenMirror, LeavingAndReenteringStartsAFreshScreen) {
    AltScreenMirror mirror(5, 20);
    // Enter, draw, leave and enter again in one chunk: only the second visit counts.
    mirror.feed("\x1b[?1049h\x1b[Hold stuff\x1b[?1049lmain\x1b[?1049h\x1b[H\x1b[2Jnew");
    ASSERT_TRUE(mirror.alt_screen_active());
    ScreenState check(5, 20);
    check.feed(mirror.repaint_rows(0, 1));
    EXPECT_EQ(check.row_text(0), "new");
    mirror.feed("\x1b[?1049l");
    EXPECT_FALSE(mirror.alt_screen_active());
    EXPECT_EQ(mirror.repaint_rows(0, 5), "");
}

TEST(AltScreenMirror, ResizeWhileActive) {
    AltScreenMirror mirror(24, 80);
    ScreenState user_terminal(24, 80);
    const std::string host = editor_session();
    feed_chunks(host, {}, mirror, user_terminal);
    mirror.resize(30, 100);
    user_terminal.resize(30, 100);
    // The program redraws at the new size.
    const std::string redraw = "\x1b[H\x1b[2Jresized\x1b[30;1H\x1b[7mstatus\x1b[m\x1b[1;8H";
    mirror.feed(redraw);
    user_terminal.feed(redraw);
    ScreenState expected(30, 100);
    expected.feed(redraw);
    EXPECT_EQ(mirror.rows(), 30);
    user_terminal.feed("\x1b[30;1H\x1b[2Ktandem> ");
    user_terminal.feed(mirror.repaint_rows(29, 30));
    EXPECT_EQ(user_terminal.row_text(29), "status");
    EXPECT_EQ(user_terminal.row_text(0), "resized");
    EXPECT_EQ(user_terminal.cursor_row(), 0);
    EXPECT_EQ(user_terminal.cursor_col(), 7);
}

TEST(AltScreenMirror, RepaintWorksWhileTheProgramUsesInsertMode) {
    AltScreenMirror mirror(5, 20);
    ScreenState user_terminal(5, 20);
    const std::string host = "\x1b[?1049h\x1b[H\x1b[2Jtop row\x1b[5;1Hbottom row\x1b[4h\x1b[1;1H";
    feed_chunks(host, {}, mirror, user_terminal);
    EXPECT_TRUE(mirror.modes().insert_mode());
    user_terminal.feed("\x1b[4l\x1b[5;1H\x1b[2Kprompt\x1b[4h");
    user_terminal.feed(mirror.repaint_rows(4, 5));
    EXPECT_EQ(user_terminal.row_text(4), "bottom row");
    // Insert mode is on again for the program: typing at 1,1 pushes "top row" right.
    user_terminal.feed("X");
    EXPECT_EQ(user_terminal.row_text(0), "Xtop row");
}

// A join viewer's mirror keeps the main screen too, parsed only when an overlay reads it; of a
// flood past kMaxUnparsed only the newest lines are parsed, and the screen they leave is the
// host's, as a terminal that saw every byte shows it.
TEST(AltScreenMirror, WholeScreenAfterAFloodShowsTheHostsScreen) {
    AltScreenMirror mirror(24, 80, /*whole_screen=*/true);
    ScreenState user_terminal(24, 80);
    std::string chunk;
    for (int i = 0; chunk.size() < 64 * 1024; ++i)
        chunk += "\x1b[3" + std::to_string(i % 8) + "mline " + std::to_string(i) + "\x1b[m\r\n";
    const std::size_t chunks = 2 * AltScreenMirror::kMaxUnparsed / chunk.size() + 3;
    for (std::size_t i = 0; i < chunks; ++i) {
        mirror.feed(chunk);
        user_terminal.feed(chunk);
    }
    mirror.feed("$ \x1b[1mtail\x1b[m");
    user_terminal.feed("$ \x1b[1mtail\x1b[m");
    ScreenState repainted(24, 80);
    repainted.feed(std::string(24 * 80, 'x'));  // whatever the overlay left
    repainted.feed(mirror.repaint_rows(0, 24));
    expect_same_screen(user_terminal, repainted);
    EXPECT_EQ(repainted.row_text(23), "$ tail");
}

}  // namespace
}  // namespace tandem
