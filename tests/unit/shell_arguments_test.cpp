#include "shell_arguments.hpp"
#include "escape_commands.hpp"
#include "tandem/errors.hpp"
#include "tandem/join_line.hpp"
#include "tandem/session_uuid.hpp"
#include "target_connection.hpp"

#include <gtest/gtest.h>

namespace tandem {
namespace {

TEST(ShellArguments, UserFromTheArgumentOnly) {
    std::string error;
    auto args = parse_shell_arguments({"--user", "alice"}, error);
    ASSERT_TRUE(args);
    EXPECT_EQ(args->user, "alice");
    args = parse_shell_arguments({"--user=bob.smith"}, error);
    ASSERT_TRUE(args);
    EXPECT_EQ(args->user, "bob.smith");
}

TEST(ShellArguments, RejectsMissingRepeatedMalformedAndUnknown) {
    std::string error;
    EXPECT_FALSE(parse_shell_arguments({}, error));
    EXPECT_FALSE(parse_shell_arguments({"--user"}, error));
    EXPECT_FALSE(parse_shell_arguments({"--user", "a", "--user", "b"}, error));
    EXPECT_FALSE(parse_shell_arguments({"--user", "a b"}, error));
    EXPECT_FALSE(parse_shell_arguments({"--user", "-rf"}, error));
    EXPECT_FALSE(parse_shell_arguments({"--user", "x;id"}, error));
    EXPECT_FALSE(parse_shell_arguments({"--user", std::string(65, 'a')}, error));
    EXPECT_FALSE(parse_shell_arguments({"--user", "alice", "root@web01"}, error));
    EXPECT_FALSE(error.empty());
}

TEST(ShellTargetConnection, OffersThePinnedKeyTypeOnly) {
    EXPECT_EQ(host_key_algorithms_for("ssh-ed25519"), "ssh-ed25519");
    EXPECT_EQ(host_key_algorithms_for("ssh-rsa"), "rsa-sha2-512,rsa-sha2-256,ssh-rsa");
    EXPECT_EQ(host_key_algorithms_for("ecdsa-sha2-nistp256"), "ecdsa-sha2-nistp256");
}

TEST(ShellTargetConnection, TermIsSanitized) {
    EXPECT_EQ(sanitize_term("xterm-256color"), "xterm-256color");
    EXPECT_EQ(sanitize_term(nullptr), "xterm");
    EXPECT_EQ(sanitize_term(""), "xterm");
    EXPECT_EQ(sanitize_term("xterm\n; rm"), "xterm");
    EXPECT_EQ(sanitize_term(std::string(100, 'x').c_str()), "xterm");
}

TEST(ShellEscapeCommands, HelpUnknownAndEmpty) {
    const EscapeCommands commands(0x1d);
    const auto help = commands.run(parse_prompt_line(" help "));
    EXPECT_FALSE(help.close_prompt);
    ASSERT_FALSE(help.lines.empty());
    EXPECT_EQ(help.lines[0], "commands: share [TTL], unshare, who, agree, refuse, take, help");
    const auto unknown = commands.run(parse_prompt_line("frobnicate"));
    ASSERT_EQ(unknown.lines.size(), 1u);
    EXPECT_EQ(unknown.lines[0], user_message(ErrorCode::T_304_unknown_command));
    EXPECT_TRUE(commands.run(parse_prompt_line("  ")).close_prompt);
}

TEST(ShellEscapeCommands, PromptLineIsParsedOnceIntoTheCommandAndItsArgument) {
    const auto share = parse_prompt_line("  share   30m ");
    EXPECT_EQ(share.command, SessionCommand::share);
    EXPECT_EQ(share.argument, "30m");
    const auto take = parse_prompt_line("take");
    EXPECT_EQ(take.command, SessionCommand::take);
    EXPECT_EQ(take.argument, "");
    const auto help = parse_prompt_line("help");
    EXPECT_EQ(help.word, "help");
    EXPECT_FALSE(help.command);
    EXPECT_FALSE(parse_prompt_line("Share").command);  // exact spelling only
    EXPECT_FALSE(parse_prompt_line("").command);
}

TEST(ShellArguments, AWebSessionNeedsItsUuidAndTheBrowsersAddress) {
    std::string error;
    const std::string id = "0b6c7f4e-1d2a-4c3b-9a8f-0123456789ab";
    auto args =
        parse_shell_arguments({"--user", "alice", "--web", id, "--from", "192.0.2.7"}, error);
    ASSERT_TRUE(args) << error;
    EXPECT_EQ(args->web_session, id);
    EXPECT_EQ(args->web_from, "192.0.2.7");
    EXPECT_EQ(args->via, "web");  // recorded with the session
    EXPECT_TRUE(
        parse_shell_arguments({"--user", "a", "--web", id, "--from", "2001:db8::1"}, error));
    // An SSH login has neither.
    args = parse_shell_arguments({"--user", "alice"}, error);
    ASSERT_TRUE(args);
    EXPECT_TRUE(args->web_session.empty());
    // Half, malformed, repeated or mixed with --join: refused.
    EXPECT_FALSE(parse_shell_arguments({"--user", "a", "--web", id}, error));
    EXPECT_FALSE(parse_shell_arguments({"--user", "a", "--from", "192.0.2.7"}, error));
    EXPECT_FALSE(
        parse_shell_arguments({"--user", "a", "--web", "not-a-uuid", "--from", "1.2.3.4"}, error));
    EXPECT_FALSE(
        parse_shell_arguments({"--user", "a", "--web", id, "--from", "1.2.3.4; rm -rf /"}, error));
    EXPECT_FALSE(parse_shell_arguments(
        {"--user", "a", "--web", id, "--web", id, "--from", "192.0.2.7"}, error));
    EXPECT_FALSE(parse_shell_arguments(
        {"--user", "a", "--join", "--web", id, "--from", "192.0.2.7"}, error));
    EXPECT_TRUE(is_session_uuid(new_session_uuid()));
    EXPECT_FALSE(is_session_uuid("0B6C7F4E-1D2A-4C3B-9A8F-0123456789AB"));
}

TEST(SshJoinLine, NamesThePortOnlyWhenItIsNot22AndBracketsIpv6) {
    EXPECT_EQ(ssh_join_line("bastion.example.com:2222", "TOK"),
              "ssh -p 2222 join@bastion.example.com TOK");
    EXPECT_EQ(ssh_join_line("bastion.example.com:22", "TOK"), "ssh join@bastion.example.com TOK");
    EXPECT_EQ(ssh_join_line("[2001:db8::1]:2222", "TOK"), "ssh -p 2222 join@[2001:db8::1] TOK");
}

}  // namespace
}  // namespace tandem
