// The bastion prompt: what alice sees after `ssh alice@bastion`. Login and `hosts` run against
// both front ends in front_end_session_test.cpp.
#include "harness/bastion_fixture.hpp"

namespace tandem::test {
namespace {

using BastionPrompt = BastionTest;

TEST_F(BastionPrompt, HelpListsEveryCommand) {
    auto ssh = alice();
    ASSERT_TRUE(ssh->expect(kPrompt));
    ssh->send_line("help");
    ASSERT_TRUE(ssh->expect("help\r\n"));
    ASSERT_TRUE(ssh->expect(kPrompt));
    std::string listing = ssh->transcript();
    listing = listing.substr(listing.find("help\r\n") + 6);
    for (const char* command : {"hosts", "connect", "sessions", "help", "exit"})
        EXPECT_NE(listing.find(command), std::string::npos) << command << " in\n" << listing;
}

TEST_F(BastionPrompt, UnknownCommandShowsT304AndThePromptAgain) {
    auto ssh = alice();
    ASSERT_TRUE(ssh->expect(kPrompt));
    ssh->send_line("frobnicate");
    ASSERT_TRUE(ssh->expect(seen(ErrorCode::T_304_unknown_command)));
    ASSERT_TRUE(ssh->expect(kPrompt));
}

TEST_F(BastionPrompt, ExitEndsTheSshSessionWithStatusZero) {
    auto ssh = alice();
    ASSERT_TRUE(ssh->expect(kPrompt));
    ssh->send_line("exit");
    EXPECT_EQ(ssh->read_all_until_exit(30s), 0) << ssh->tail();
}

TEST_F(BastionPrompt, EndOfInputAtThePromptEndsTheSession) {
    auto ssh = alice();
    ASSERT_TRUE(ssh->expect(kPrompt));
    ssh->send("\x04");  // Ctrl-D on an empty line, as in any shell
    EXPECT_EQ(ssh->read_all_until_exit(30s), 0) << ssh->tail();
}

TEST_F(BastionPrompt, SessionsListsTheUsersEndedSessionWithItsExitStatus) {
    auto ssh = alice();
    ASSERT_TRUE(ssh->expect(kPrompt));
    ssh->send_line("sessions");
    ASSERT_TRUE(ssh->expect("You have no sessions yet."));
    ASSERT_TRUE(connect_from_prompt(*ssh, account));
    ssh->send_line("exit 3");
    ASSERT_TRUE(ssh->expect(kPrompt));
    ssh->send_line("sessions");
    ASSERT_TRUE(ssh->expect("sessions\r\n"));
    ASSERT_TRUE(ssh->expect(account));
    ASSERT_TRUE(ssh->expect("exit (status 3)"));
    ASSERT_TRUE(ssh->expect(kPrompt));
}

}  // namespace
}  // namespace tandem::test
