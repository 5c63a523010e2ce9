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

TEST(ShellTerminalUi, NoticeStepsAsideForOutputAndReturnsWhenItPauses) {
    AltScreenMirror mirror(24, 80);
    TerminalUi ui(mirror);
    const auto t0 = Clock::now();
    ui.show_notice({"bob joined"}, false, t0);
    ASSERT_TRUE(ui.notice_gives_way());
    EXPECT_FALSE(ui.notice_step_aside(t0 + 10ms).empty()) << "the screen is restored";
    EXPECT_FALSE(ui.overlay_open()) << "output is not held back";
    EXPECT_FALSE(ui.notice_gives_way());
    ui.output_written(t0 + 100ms);
    ASSERT_TRUE(ui.notice_return_at());
    EXPECT_EQ(*ui.notice_return_at(), t0 + 100ms + TerminalUi::kQuietBeforeReturn);
    EXPECT_TRUE(ui.notice_return(t0 + 200ms).empty()) << "output paused too briefly";
    const auto back = ui.notice_return(t0 + 100ms + TerminalUi::kQuietBeforeReturn);
    EXPECT_NE(back.find("bob joined"), std::string::npos) << "the notice is drawn again";
    EXPECT_TRUE(ui.overlay_open());
    EXPECT_EQ(*ui.notice_deadline(), t0 + TerminalUi::kNoticeTime) << "it keeps its deadline";
}

TEST(ShellTerminalUi, NoticeThatSteppedAsideIsForgottenWhenItsTimeIsUp) {
    AltScreenMirror mirror(24, 80);
    TerminalUi ui(mirror);
    const auto t0 = Clock::now();
    ui.show_notice({"bob joined"}, false, t0);
    ui.notice_step_aside(t0);
    ui.output_written(t0 + TerminalUi::kNoticeTime - 1ms);
    EXPECT_EQ(*ui.notice_return_at(), t0 + TerminalUi::kNoticeTime);
    EXPECT_TRUE(ui.notice_return(t0 + TerminalUi::kNoticeTime).empty());
    EXPECT_FALSE(ui.overlay_open());
    EXPECT_FALSE(ui.notice_showing());
    EXPECT_FALSE(ui.notice_return_at());
}

TEST(ShellTerminalUi, OnlyATimedNoticeGivesWayToOutput) {
    AltScreenMirror mirror(24, 80);
    TerminalUi ui(mirror);
    ui.show_notice({"invite"}, true, Clock::now());
    EXPECT_FALSE(ui.notice_gives_way()) << "the invite the person asked for waits for a key";
    EXPECT_TRUE(ui.notice_step_aside(Clock::now()).empty());
    EXPECT_TRUE(ui.overlay_open());
    ui.close();
    ui.show_prompt({"tandem> "});
    EXPECT_FALSE(ui.notice_gives_way()) << "the escape prompt holds output";
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
