#include "tandem/session_command.hpp"

#include <gtest/gtest.h>

namespace tandem {

TEST(SessionCommand, EveryWordRoundTrips) {
    for (auto c : {SessionCommand::share, SessionCommand::unshare, SessionCommand::who,
                   SessionCommand::agree, SessionCommand::refuse, SessionCommand::take,
                   SessionCommand::control, SessionCommand::release, SessionCommand::exit}) {
        auto parsed = parse_session_command(to_string(c));
        ASSERT_TRUE(parsed.has_value()) << to_string(c);
        EXPECT_EQ(*parsed, c);
    }
}

TEST(SessionCommand, OnlyExactWordsParse) {
    EXPECT_FALSE(parse_session_command(""));
    EXPECT_FALSE(parse_session_command("Agree"));
    EXPECT_FALSE(parse_session_command("agree "));
    EXPECT_FALSE(parse_session_command("resize"));
    EXPECT_FALSE(parse_session_command("help"));
}

TEST(SessionCommand, CreatorAndInviteeSidesAreDisjointButForWho) {
    EXPECT_TRUE(is_creator_command(SessionCommand::agree));
    EXPECT_FALSE(is_invitee_command(SessionCommand::agree));
    EXPECT_FALSE(is_invitee_command(SessionCommand::refuse));
    EXPECT_TRUE(is_invitee_command(SessionCommand::control));
    EXPECT_FALSE(is_creator_command(SessionCommand::exit));
    EXPECT_TRUE(is_creator_command(SessionCommand::who));
    EXPECT_TRUE(is_invitee_command(SessionCommand::who));
}

}  // namespace tandem
