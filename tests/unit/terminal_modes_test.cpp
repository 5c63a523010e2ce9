#include "tandem/terminal_modes.hpp"

#include "tandem/screen_state.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace tandem {
namespace {

auto state_of(const TerminalModes& m) {
    return std::make_tuple(m.alt_screen(), m.app_cursor_keys(), m.app_keypad(), m.bracketed_paste(),
                           m.cursor_visible(), m.mouse_tracking(), m.mouse_encoding(),
                           m.focus_events(), m.autowrap(), m.insert_mode(), m.cursor_style(),
                           m.scroll_top(), m.scroll_bottom());
}

TerminalModes fed(std::string_view bytes) {
    TerminalModes m;
    m.feed(bytes);
    return m;
}

struct RecordingListener : TerminalModes::Listener {
    std::vector<std::pair<bool, std::size_t>> calls;
    void alt_screen_changed(bool active, std::size_t offset_after) override {
        calls.emplace_back(active, offset_after);
    }
};

// Host output that touches every tracked mode, with strings and noise in between.
const std::string script =
    "plain text\r\n\x1b[1;31mred\x1b[0m \x1b]0;title with ?1049h\x07"
    "\x1b[?1049;1h\x1b=\x1b[?2004h\x1b[?25l\x1b[?1000h\x1b[?1006h\x1b[?1004h"
    "\x1bP+q544e\x1b\\\x1b(B\x1b[?7l\x1b[4h\x1b[2 q\x1b[3;20r\x1b_apc\x1b\\more \xe2\x94\x80 text"
    "\x1b[?1002h\x1b[38;2;1;2;3m\x1b[H\x1b[2J";

TEST(TerminalModes, DefaultsAreATerminalsPowerOnState) {
    TerminalModes m;
    EXPECT_FALSE(m.alt_screen());
    EXPECT_FALSE(m.app_cursor_keys());
    EXPECT_FALSE(m.app_keypad());
    EXPECT_FALSE(m.bracketed_paste());
    EXPECT_TRUE(m.cursor_visible());
    EXPECT_EQ(m.mouse_tracking(), 0);
    EXPECT_EQ(m.mouse_encoding(), 0);
    EXPECT_FALSE(m.focus_events());
    EXPECT_TRUE(m.autowrap());
    EXPECT_EQ(m.restore_sequence(), "");
}

TEST(TerminalModes, TracksEachModeOnAndOff) {
    EXPECT_TRUE(fed("\x1b[?1h").app_cursor_keys());
    EXPECT_FALSE(fed("\x1b[?1h\x1b[?1l").app_cursor_keys());
    EXPECT_TRUE(fed("\x1b=").app_keypad());
    EXPECT_FALSE(fed("\x1b=\x1b>").app_keypad());
    EXPECT_TRUE(fed("\x1b[?2004h").bracketed_paste());
    EXPECT_FALSE(fed("\x1b[?2004h\x1b[?2004l").bracketed_paste());
    EXPECT_FALSE(fed("\x1b[?25l").cursor_visible());
    EXPECT_TRUE(fed("\x1b[?25l\x1b[?25h").cursor_visible());
    EXPECT_TRUE(fed("\x1b[?1004h").focus_events());
    EXPECT_FALSE(fed("\x1b[?7l").autowrap());
    EXPECT_TRUE(fed("\x1b[4h").insert_mode());
    EXPECT_FALSE(fed("\x1b[4h\x1b[4l").insert_mode());
    EXPECT_EQ(fed("\x1b[5 q").cursor_style(), 5);
    for (int mode : {9, 1000, 1002, 1003}) {
        const std::string set = "\x1b[?" + std::to_string(mode) + "h";
        EXPECT_EQ(fed(set).mouse_tracking(), mode);
        EXPECT_EQ(fed(set + "\x1b[?" + std::to_string(mode) + "l").mouse_tracking(), 0);
    }
    for (int mode : {1005, 1006, 1015}) {
        EXPECT_EQ(fed("\x1b[?" + std::to_string(mode) + "h").mouse_encoding(), mode);
    }
    EXPECT_EQ(fed("\x1b[?1006h\x1b[?1006l").mouse_encoding(), 0);
    // Like xterm: the last tracking mode set wins; resetting any one turns tracking off.
    EXPECT_EQ(fed("\x1b[?1000h\x1b[?1003h").mouse_tracking(), 1003);
    EXPECT_EQ(fed("\x1b[?1003h\x1b[?1000l").mouse_tracking(), 0);
}

TEST(TerminalModes, AltScreenBySwitchingModes) {
    for (const char* mode : {"1049", "1047", "47"}) {
        const std::string on = std::string("\x1b[?") + mode + "h";
        const std::string off = std::string("\x1b[?") + mode + "l";
        EXPECT_TRUE(fed(on).alt_screen()) << mode;
        EXPECT_FALSE(fed(on + off).alt_screen()) << mode;
    }
    // Not private: CSI 1049 h is some other (ANSI) mode.
    EXPECT_FALSE(fed("\x1b[1049h").alt_screen());
}

TEST(TerminalModes, SeveralParametersInOneSequence) {
    const TerminalModes m = fed("\x1b[?1049;1;2004;1000;1006h");
    EXPECT_TRUE(m.alt_screen());
    EXPECT_TRUE(m.app_cursor_keys());
    EXPECT_TRUE(m.bracketed_paste());
    EXPECT_EQ(m.mouse_tracking(), 1000);
    EXPECT_EQ(m.mouse_encoding(), 1006);
    const TerminalModes off = fed("\x1b[?1049;1;2004;1000;1006h\x1b[?1;1049l");
    EXPECT_FALSE(off.alt_screen());
    EXPECT_FALSE(off.app_cursor_keys());
    EXPECT_TRUE(off.bracketed_paste());
}

TEST(TerminalModes, StringsAreSkippedWhateverTheyContain) {
    // BEL- and ST-terminated OSC, DCS, APC, PM and SOS: their payload is never interpreted.
    EXPECT_FALSE(fed("\x1b]2;[?1049h\x07").alt_screen());
    EXPECT_FALSE(fed("\x1bP=1s[?1h\x1b\\").app_keypad());
    EXPECT_FALSE(fed("\x1b_=\x1b\\").app_keypad());
    EXPECT_FALSE(fed("\x1b^=\x07").app_keypad());
    EXPECT_FALSE(fed("\x1bX=\x1b\\").app_keypad());
    // After the terminator, sequences count again.
    EXPECT_TRUE(fed("\x1b]2;title\x07\x1b[?1049h").alt_screen());
    EXPECT_TRUE(fed("\x1b]2;title\x1b\\\x1b[?1049h").alt_screen());
    EXPECT_TRUE(fed("\x1bPq#0;2;0;0;0#1~~\x1b\\\x1b=").app_keypad());
    // An ESC that is not ST ends the string and starts a sequence (as xterm does).
    EXPECT_TRUE(fed("\x1b]2;broken\x1b[?1049h").alt_screen());
    // An unterminated string swallows what follows until it ends.
    TerminalModes open = fed("\x1b]2;open [?1049h");
    EXPECT_FALSE(open.alt_screen());
    open.feed(" still the title\x1b[?1h\x07\x1b=");
    EXPECT_TRUE(open.app_cursor_keys());  // the ESC ended the string
    EXPECT_TRUE(open.app_keypad());
}

TEST(TerminalModes, CancelAndEscapeAbortSequences) {
    EXPECT_FALSE(fed("\x1b[?10\x18"
                     "49h")
                     .alt_screen());
    EXPECT_FALSE(fed("\x1b[?10\x1a"
                     "49h")
                     .alt_screen());
    EXPECT_TRUE(fed("\x1b[?10\x1b[?1049h").alt_screen());
    EXPECT_FALSE(fed("\x1b]2;x\x18[?1049h").alt_screen());
    // C0 controls inside a sequence are executed by terminals, and the sequence goes on.
    EXPECT_TRUE(fed("\x1b[?10\r49h").alt_screen());
    // ESC ( = designates a character set; it is not ESC =.
    EXPECT_FALSE(fed("\x1b(=").app_keypad());
    EXPECT_TRUE(fed("\x1b(B\x1b=").app_keypad());
}

// Found by the terminal_snapshot fuzz target: a byte from 0x80 inside a CSI aborted it here
// while libvterm (the late joiner's screen) ignores it and switches: the joiner's modes and
// screen disagreed. Both must take the switch; the plain sequence is the control.
TEST(TerminalModes, HighBytesInsideASequenceAreIgnoredAsLibvtermDoes) {
    for (const char* high : {"\x80", "\x9b", "\xa0", "\xc3", "\xff"}) {
        const std::string seq = std::string("\x1b[?1049") + high + "h";
        EXPECT_TRUE(fed(seq).alt_screen()) << seq;
        tandem::ScreenState screen(24, 80);
        screen.feed(seq);
        EXPECT_TRUE(screen.alt_screen()) << seq;
    }
    EXPECT_TRUE(fed("\x1b[?1049h").alt_screen());
    EXPECT_TRUE(fed("\x1b[?2004\xffh").bracketed_paste());
}

// Found by the terminal_snapshot fuzz target: libvterm ignores DEL and bytes from 0x80 right
// after an ESC (and executes C0 controls there) and stays in the escape, so ESC 0xff [ starts
// a CSI. The modes tracker ended the escape instead, and the screen's filter let that CSI through
// unchecked: with 40 arguments it overran libvterm's array (a crash). The plain sequences are
// the control.
TEST(TerminalModes, IgnoredBytesAfterAnEscapeKeepItGoingAsLibvtermDoes) {
    for (const char* between : {"", "\x7f", "\x80", "\xff\xff\xff", "\r"}) {
        const std::string seq = std::string("\x1b") + between + "[?1049h";
        EXPECT_TRUE(fed(seq).alt_screen()) << seq;
        tandem::ScreenState screen(24, 80);
        screen.feed(seq);
        EXPECT_TRUE(screen.alt_screen()) << seq;
        EXPECT_TRUE(fed(std::string("\x1b") + between + "=").app_keypad()) << between;
    }
    const std::string overlong = "\x1b\xff[" + std::string(40, ';') + "Oafter";
    ScreenState screen(24, 80);
    screen.feed(overlong);
    EXPECT_EQ(screen.row_text(0), "after");
    TerminalModes modes = fed(overlong + "\x1b[?2004h");
    EXPECT_TRUE(modes.bracketed_paste());
}

TEST(TerminalModes, OverlongParametersDropTheSequenceAndRecover) {
    std::string huge = "\x1b[?";
    for (int i = 0; i < 5000; ++i) huge += "1;";
    huge += "1049h";
    TerminalModes m;
    m.feed(huge);
    EXPECT_FALSE(m.alt_screen());
    EXPECT_FALSE(m.app_cursor_keys());
    m.feed("\x1b[?2004h");
    EXPECT_TRUE(m.bracketed_paste());
    // Just under the bound still works.
    std::string padded = "\x1b[?" + std::string(80, '0') + "1049h";
    EXPECT_TRUE(fed(padded).alt_screen());
}

TEST(TerminalModes, EverySplitGivesTheSameResult) {
    const auto whole = state_of(fed(script));
    for (std::size_t cut = 0; cut <= script.size(); ++cut) {
        TerminalModes m;
        m.feed(std::string_view(script).substr(0, cut));
        m.feed(std::string_view(script).substr(cut));
        ASSERT_EQ(state_of(m), whole) << "cut at " << cut;
    }
    TerminalModes bytewise;
    for (char ch : script) bytewise.feed(std::string_view(&ch, 1));
    EXPECT_EQ(state_of(bytewise), whole);
}

TEST(TerminalModes, RandomSplitsOfRandomEscapesAgree) {
    std::mt19937 rng(42);
    const std::string alphabet = "\x1b[]?;0123456789hlP\\\x07=>c q!pr_X^(Babc\x18";
    for (int round = 0; round < 200; ++round) {
        std::string bytes;
        for (int i = 0; i < 400; ++i) bytes += alphabet[rng() % alphabet.size()];
        const auto whole = state_of(fed(bytes));
        TerminalModes split;
        std::size_t pos = 0;
        while (pos < bytes.size()) {
            const std::size_t n = std::min<std::size_t>(rng() % 7, bytes.size() - pos);
            split.feed(std::string_view(bytes).substr(pos, n));
            pos += n;
        }
        ASSERT_EQ(state_of(split), whole) << "round " << round;
    }
}

// Found by the terminal_snapshot fuzz target: after an escape's intermediates libvterm still
// opens a CSI (ESC ( [ ?25l hides its cursor); the tracker ended the escape there,
// so a late joiner's screen had a hidden cursor its modes said was shown. Both must agree.
TEST(TerminalModes, ACsiAfterIntermediatesIsTakenAsLibvtermDoes) {
    for (const std::string& intermediates :
         std::vector<std::string>{"(", " ", "#", std::string(20, '(')}) {
        const std::string seq = "\x1b" + intermediates + "[?25l";
        EXPECT_FALSE(fed(seq).cursor_visible()) << seq;
        tandem::ScreenState screen(24, 80);
        screen.feed(seq);
        EXPECT_FALSE(screen.cursor_visible()) << seq;
    }
    // The control: an escape that ends with its intermediates leaves what follows as text.
    EXPECT_TRUE(fed("\x1b(B[?25l").cursor_visible());
    EXPECT_FALSE(fed("\x1b[?25l").cursor_visible());
}

TEST(TerminalModes, ListenerGetsOffsetJustPastTheSwitch) {
    RecordingListener rec;
    TerminalModes m;
    m.set_listener(&rec);
    m.feed("abc\x1b[?1049hdef");
    ASSERT_EQ(rec.calls.size(), 1u);
    EXPECT_EQ(rec.calls[0], std::make_pair(true, std::size_t{11}));
    // Split switch: the offset is within the chunk that completes it.
    m.feed("xy\x1b[?10");
    m.feed("49lz");
    ASSERT_EQ(rec.calls.size(), 2u);
    EXPECT_EQ(rec.calls[1], std::make_pair(false, std::size_t{3}));
    // A switch to the screen already shown is no change.
    m.feed("\x1b[?1049l\x1b[?47h\x1b[?1049h");
    ASSERT_EQ(rec.calls.size(), 3u);
    EXPECT_EQ(rec.calls[2], std::make_pair(true, std::size_t{14}));  // at ?47h
}

TEST(TerminalModes, FullResetClearsModesAndLeavesTheAltScreen) {
    RecordingListener rec;
    TerminalModes m;
    m.set_listener(&rec);
    m.feed("\x1b[?1049;1;2004h\x1b=\x1b[?25l");
    m.feed(
        "\x1b"
        "c");
    EXPECT_EQ(state_of(m), state_of(TerminalModes{}));
    ASSERT_EQ(rec.calls.size(), 2u);
    EXPECT_EQ(rec.calls[1], std::make_pair(false, std::size_t{2}));
}

TEST(TerminalModes, SoftResetKeepsScreenAndMouse) {
    const TerminalModes m = fed("\x1b[?1049;1;1000h\x1b=\x1b[?25l\x1b[4h\x1b[2;9r\x1b[!p");
    EXPECT_TRUE(m.alt_screen());
    EXPECT_EQ(m.mouse_tracking(), 1000);
    EXPECT_FALSE(m.app_cursor_keys());
    EXPECT_FALSE(m.app_keypad());
    EXPECT_TRUE(m.cursor_visible());
    EXPECT_FALSE(m.insert_mode());
    EXPECT_EQ(m.scroll_top(), 0);
}

TEST(TerminalModes, ScrollRegion) {
    const TerminalModes m = fed("\x1b[3;20r");
    EXPECT_EQ(m.scroll_top(), 3);
    EXPECT_EQ(m.scroll_bottom(), 20);
    EXPECT_EQ(fed("\x1b[3;20r\x1b[r").scroll_top(), 0);
    EXPECT_EQ(fed("\x1b[3;20r\x1b[5;5r").scroll_top(), 3);  // under two lines: ignored
    // Found by terminal_snapshot: a top of 0 is line 1, so ; 01 is one line and ignored too
    // (it was kept, and a late joiner's snapshot said 1;1, which is ignored: modes differed).
    EXPECT_EQ(fed("\x1b[3;20r\x1b[;01r").scroll_top(), 3);
    EXPECT_EQ(fed("\x1b[3;20r\x1b[0;1r").scroll_bottom(), 20);
    EXPECT_EQ(fed("\x1b[;2r").scroll_top(), 1);  // the control: two lines from line 1
    EXPECT_EQ(fed("\x1b[;2r").scroll_bottom(), 2);
    TerminalModes resized = fed("\x1b[3;20r");
    resized.screen_resized();
    EXPECT_EQ(resized.scroll_top(), 0);
}

TEST(TerminalModes, RestoreSequenceReproducesTheModes) {
    TerminalModes m;
    m.feed(script);
    const std::string restore = m.restore_sequence();
    EXPECT_EQ(restore,
              "\x1b[3;20r\x1b[?1h\x1b=\x1b[?7l\x1b[4h\x1b[?2004h\x1b[?25l\x1b[?1002h"
              "\x1b[?1006h\x1b[?1004h\x1b[2 q");
    // Everything but the alt screen, which the caller reaches on its own.
    TerminalModes fresh;
    fresh.feed(restore);
    auto expected = state_of(m);
    std::get<0>(expected) = false;
    EXPECT_EQ(state_of(fresh), expected);
}

}  // namespace
}  // namespace tandem

// Found by terminal_snapshot (unseeded): TerminalModes kept 96 parameter bytes and ScreenState
// 254, so CSI ? with a 100-digit argument and 1049 h put the screen model on the alternate
// screen but not the tracked modes. Both now take up to 254 bytes and drop longer sequences.
TEST(TerminalModes, ALongCsiIsTakenOrDroppedAsTheScreenModelDoes) {
    for (const std::size_t digits : {std::size_t{100}, std::size_t{240}, std::size_t{300}}) {
        const std::string csi = "\x1b[?;" + std::string(digits, '1') + ";1049h";
        tandem::TerminalModes modes;
        tandem::ScreenState screen(24, 80);
        modes.feed(csi);
        screen.feed(csi);
        EXPECT_EQ(modes.alt_screen(), screen.alt_screen()) << digits << " digits";
        EXPECT_EQ(modes.alt_screen(), digits < 250) << digits << " digits";
    }
}
