#include "terminal_ui.hpp"

#include <gtest/gtest.h>

namespace tandem {
namespace {

using namespace std::chrono_literals;
using Clock = TerminalUi::Clock;

TEST(ShellTerminalUi, NoticeClosesAfterTheOneNoticeTimeOrAtAKey) {
    AltScreenMirror mirror(24, 80);
    TerminalUi ui(mirror);
    const auto t0 = Clock::now();
    EXPECT_FALSE(ui.show_notice({"hello"}, false, t0).empty());
    EXPECT_TRUE(ui.overlay_open());
    ASSERT_TRUE(ui.notice_deadline());
    EXPECT_EQ(*ui.notice_deadline(), t0 + TerminalUi::kNoticeTime);
    std::string out;
    EXPECT_FALSE(ui.key_closes_notice(out)) << "an ordinary notice lets the key through";
    EXPECT_FALSE(out.empty());
    EXPECT_FALSE(ui.overlay_open());
    EXPECT_FALSE(ui.notice_showing());
}

TEST(ShellTerminalUi, KeptNoticeWaitsForAKeyAndSwallowsIt) {
    AltScreenMirror mirror(24, 80);
    TerminalUi ui(mirror);
    ui.show_notice({"invite"}, true, Clock::now());
    EXPECT_FALSE(ui.notice_deadline()) << "a kept notice has no deadline";
    EXPECT_TRUE(ui.notice_showing());
    std::string out;
    EXPECT_TRUE(ui.key_closes_notice(out));
    EXPECT_FALSE(ui.overlay_open());
}

TEST(ShellTerminalUi, ResetTurnsOffExactlyWhatTheProgramTurnedOn) {
    AltScreenMirror mirror(24, 80);
    TerminalUi ui(mirror);
    const auto plain = ui.reset();
    EXPECT_EQ(plain, "\x1b[0m") << "nothing was turned on: only the pen is reset";
    mirror.feed("\x1b[?1049h\x1b[?25l\x1b[?2004h\x1b[?1002h\x1b[?1006h");
    const auto full = ui.reset();
    for (const char* off :
         {"\x1b[?1049l", "\x1b[?25h", "\x1b[?2004l", "\x1b[?1002l", "\x1b[?1006l"})
        EXPECT_NE(full.find(off), std::string::npos) << "missing " << off + 1;
    ui.show_notice({"x"}, false, Clock::now());
    ui.reset();
    EXPECT_FALSE(ui.overlay_open()) << "reset closes the overlay first";
}

}  // namespace
}  // namespace tandem
