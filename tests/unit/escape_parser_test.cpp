#include "escape_parser.hpp"

#include <gtest/gtest.h>

namespace tandem {
namespace {

using Kind = EscapeAction::Kind;

std::vector<EscapeAction> feed(EscapeParser& parser, std::string_view input) {
    std::vector<EscapeAction> out;
    parser.feed(input, out);
    return out;
}

TEST(EscapeParser, PassesBytesThroughInOnePiece) {
    EscapeParser parser(0x1d);
    const auto out = feed(parser, std::string("ls -l\r\x01\x7f\x1b[A\0x", 13));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, Kind::to_host);
    EXPECT_EQ(out[0].text, std::string("ls -l\r\x01\x7f\x1b[A\0x", 13));
    EXPECT_FALSE(parser.prompt_open());
}

TEST(EscapeParser, EscapeKeyOpensThePromptAndIsNotSent) {
    EscapeParser parser(0x1d);
    const auto out = feed(parser, "ab\x1d");
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0], (EscapeAction{Kind::to_host, "ab"}));
    EXPECT_EQ(out[1].kind, Kind::prompt_open);
    EXPECT_TRUE(parser.prompt_open());
    EXPECT_EQ(parser.line(), "");
}

TEST(EscapeParser, EscapeKeyTwiceSendsOneLiteralEscapeAndCloses) {
    EscapeParser parser(0x1d);
    const auto out = feed(parser, "\x1d\x1dz");
    ASSERT_EQ(out.size(), 4u);
    EXPECT_EQ(out[0].kind, Kind::prompt_open);
    EXPECT_EQ(out[1], (EscapeAction{Kind::to_host, "\x1d"}));
    EXPECT_EQ(out[2].kind, Kind::prompt_close);
    EXPECT_EQ(out[3], (EscapeAction{Kind::to_host, "z"}));
    EXPECT_FALSE(parser.prompt_open());
}

TEST(EscapeParser, EscapeKeyTwiceAcrossReads) {
    EscapeParser parser(0x1d);
    feed(parser, "\x1d");
    const auto out = feed(parser, "\x1d");
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0], (EscapeAction{Kind::to_host, "\x1d"}));
    EXPECT_EQ(out[1].kind, Kind::prompt_close);
    EXPECT_EQ(feed(parser, "q"), (std::vector<EscapeAction>{{Kind::to_host, "q"}}));
}

TEST(EscapeParser, EnterSubmitsTheLineAndKeepsThePromptOpen) {
    EscapeParser parser(0x1d);
    const auto out = feed(parser, "\x1dhelp\r");
    ASSERT_EQ(out.size(), 6u);
    EXPECT_EQ(out[1], (EscapeAction{Kind::prompt_edit, "h"}));
    EXPECT_EQ(out[4], (EscapeAction{Kind::prompt_edit, "help"}));
    EXPECT_EQ(out[5], (EscapeAction{Kind::prompt_submit, "help"}));
    EXPECT_TRUE(parser.prompt_open());
    EXPECT_EQ(parser.line(), "");
}

TEST(EscapeParser, NothingTypedAtThePromptReachesTheHost) {
    EscapeParser parser(0x1d);
    for (const auto& action : feed(parser, "\x1dsecret\x7f\x15more\r"))
        EXPECT_NE(action.kind, Kind::to_host);
}

TEST(EscapeParser, BackspaceAndCtrlUEdit) {
    EscapeParser parser(0x1d);
    feed(parser,
         "\x1d"
         "abc\x7f");
    EXPECT_EQ(parser.line(), "ab");
    feed(parser, "\x08");
    EXPECT_EQ(parser.line(), "a");
    feed(parser, "xyz\x15");
    EXPECT_EQ(parser.line(), "");
    feed(parser, "one two\x17");
    EXPECT_EQ(parser.line(), "one ");
}

TEST(EscapeParser, CtrlCClosesAndFollowingBytesGoToTheHost) {
    EscapeParser parser(0x1d);
    const auto out = feed(parser,
                          "\x1d"
                          "ab\x03xyz");
    ASSERT_EQ(out.size(), 5u);
    EXPECT_EQ(out[3].kind, Kind::prompt_close);
    EXPECT_EQ(out[4], (EscapeAction{Kind::to_host, "xyz"}));
}

TEST(EscapeParser, LoneEscCloses) {
    EscapeParser parser(0x1d);
    feed(parser,
         "\x1d"
         "ab");
    const auto out = feed(parser, "\x1b");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, Kind::prompt_close);
    EXPECT_FALSE(parser.prompt_open());
}

TEST(EscapeParser, ArrowKeysAtThePromptAreIgnored) {
    EscapeParser parser(0x1d);
    feed(parser, "\x1d");
    const auto out = feed(parser, "\x1b[A\x1bOBx\x1b[1;5C");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], (EscapeAction{Kind::prompt_edit, "x"}));
    EXPECT_TRUE(parser.prompt_open());
}

TEST(EscapeParser, EscapeKeyWithTextTypedIsIgnored) {
    EscapeParser parser(0x1d);
    feed(parser,
         "\x1d"
         "ab");
    EXPECT_TRUE(feed(parser, "\x1d").empty());
    EXPECT_TRUE(parser.prompt_open());
    EXPECT_EQ(parser.line(), "ab");
}

TEST(EscapeParser, LineIsBounded) {
    EscapeParser parser(0x1d);
    feed(parser, "\x1d" + std::string(1000, 'x'));
    EXPECT_EQ(parser.line().size(), EscapeParser::max_line);
}

TEST(EscapeParser, NonPrintableBytesAreNotAddedToTheLine) {
    EscapeParser parser(0x1d);
    feed(parser,
         "\x1d"
         "a\x01\x02\xc3\xa9"
         "b");
    EXPECT_EQ(parser.line(), "ab");
}

TEST(EscapeParser, DisabledEscapeKeyPassesEverything) {
    EscapeParser parser(-1);
    const auto out = feed(parser, "\x1d\x1d");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], (EscapeAction{Kind::to_host, "\x1d\x1d"}));
}

TEST(EscapeParser, OtherEscapeKey) {
    EscapeParser parser(0x01);  // ^A
    const auto out = feed(parser, "\x1d\x01");
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0], (EscapeAction{Kind::to_host, "\x1d"}));
    EXPECT_EQ(out[1].kind, Kind::prompt_open);
}

TEST(EscapeParser, CloseFromOutside) {
    EscapeParser parser(0x1d);
    feed(parser,
         "\x1d"
         "ab");
    parser.close_prompt();
    EXPECT_FALSE(parser.prompt_open());
    EXPECT_EQ(feed(parser, "c"), (std::vector<EscapeAction>{{Kind::to_host, "c"}}));
}

TEST(EscapeParser, KeyNames) {
    EXPECT_EQ(escape_key_name(0x1d), "^]");
    EXPECT_EQ(escape_key_name(0x01), "^A");
    EXPECT_EQ(escape_key_name(-1), "none");
}

TEST(EscapeParser, StopsAfterEnterSoTheRestFollowsTheCommandsOutcome) {
    EscapeParser parser(0x1d);
    // "take" then fast typing in one read: the parser hands back the command first.
    const std::string input = "\x1dtake\rls\r";
    std::vector<EscapeAction> out;
    const std::size_t used = parser.feed(input, out);
    EXPECT_EQ(used, 6u);
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out.back(), (EscapeAction{Kind::prompt_submit, "take"}));
    // The command closed the prompt: what followed Enter goes to the host, not the prompt.
    parser.close_prompt();
    out.clear();
    EXPECT_EQ(parser.feed(std::string_view(input).substr(used), out), 3u);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], (EscapeAction{Kind::to_host, "ls\r"}));
}

TEST(EscapeParser, AfterEnterWithThePromptStillOpenTheRestIsTheNextLine) {
    EscapeParser parser(0x1d);
    std::vector<EscapeAction> out;
    const std::string input = "\x1dwho\rhelp\r";
    std::size_t used = parser.feed(input, out);
    EXPECT_EQ(out.back(), (EscapeAction{Kind::prompt_submit, "who"}));
    out.clear();
    used += parser.feed(std::string_view(input).substr(used), out);
    EXPECT_EQ(used, input.size());
    EXPECT_EQ(out.back(), (EscapeAction{Kind::prompt_submit, "help"}));
}

}  // namespace
}  // namespace tandem
