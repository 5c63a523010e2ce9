// ScreenFeed's snapshot is rendered once per screen state: every viewer repainted before the
// next output (a join, resyncs of viewers that fell behind together) gets the same buffer, and
// any output, gap or resize makes the next snapshot a new render of the new screen.
#include "screen_feed.hpp"

#include <gtest/gtest.h>

#include "tandem/screen_state.hpp"

namespace tandem::broker {
namespace {

std::string first_row(const std::string& snapshot) {
    ScreenState viewer(24, 80);
    viewer.feed(snapshot);
    return viewer.row_text(0);
}

TEST(ScreenFeed, ViewersRepaintedBetweenTwoOutputsShareOneRender) {
    ScreenFeed feed(24, 80);
    feed.append("\x1b[2J\x1b[Hfirst screen");
    const auto a = feed.snapshot();
    const auto b = feed.snapshot();
    EXPECT_EQ(a.get(), b.get()) << "the same screen was rendered twice";
    EXPECT_EQ(first_row(*a), "first screen");

    feed.append("");  // nothing new: still the same screen
    EXPECT_EQ(feed.snapshot().get(), a.get());

    feed.append("\x1b[2J\x1b[Hsecond screen");
    const auto c = feed.snapshot();
    EXPECT_NE(c.get(), a.get());
    EXPECT_EQ(first_row(*c), "second screen");
    EXPECT_EQ(first_row(*a), "first screen") << "a snapshot already handed out changed";

    feed.resize(30, 100);
    const auto d = feed.snapshot();
    EXPECT_NE(d.get(), c.get());
    ScreenState resized(30, 100);
    resized.feed(*d);
    EXPECT_EQ(resized.row_text(0), "second screen");

    feed.gap();  // output was lost: the screen is rebuilt from what follows
    const auto e = feed.snapshot();
    EXPECT_NE(e.get(), d.get());
    ScreenState after_gap(30, 100);
    after_gap.feed(*e);
    EXPECT_EQ(after_gap.row_text(0), "");
}

}  // namespace
}  // namespace tandem::broker
