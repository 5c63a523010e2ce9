// tandem-sshd: how the session hook is started (argv, clean environment, what a client may set).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "../../sshd-plugin/sshd/hook_command.hpp"

namespace tandem::sshd {
namespace {

HookRequest sample_request() {
    HookRequest request;
    request.user = "alice";
    request.peer = {"127.0.0.1", 50022, "127.0.0.1", 2222};
    return request;
}

bool has(const std::vector<std::string>& env, const std::string& entry) {
    return std::find(env.begin(), env.end(), entry) != env.end();
}

bool has_name(const std::vector<std::string>& env, const std::string& name) {
    return std::any_of(env.begin(), env.end(),
                       [&](const std::string& e) { return e.rfind(name + "=", 0) == 0; });
}

TEST(SshdHookCommand, ArgvCarriesConfigOverridesAndUser) {
    const auto inv = build_hook_invocation("/usr/bin/tandem-shell", "/etc/tandem/tandem.conf",
                                           {{"ssh.listen", "127.0.0.1:0"}, {"log.level", "debug"}},
                                           sample_request(), {"tandem", "/var/lib/tandem"});
    EXPECT_EQ(inv.path, "/usr/bin/tandem-shell");
    const std::vector<std::string> expected = {"tandem-shell",
                                               "--config",
                                               "/etc/tandem/tandem.conf",
                                               "--ssh.listen=127.0.0.1:0",
                                               "--log.level=debug",
                                               "--user",
                                               "alice"};
    EXPECT_EQ(inv.argv, expected);
}

TEST(SshdHookCommand, NoConfigFileMeansNoConfigArgument) {
    const auto inv =
        build_hook_invocation("/x/tandem-shell", "", {}, sample_request(), {"tandem", "/"});
    const std::vector<std::string> expected = {"tandem-shell", "--user", "alice"};
    EXPECT_EQ(inv.argv, expected);
}

TEST(SshdHookCommand, ShellWithPtyEnvironment) {
    auto request = sample_request();
    request.term = "xterm-256color";
    request.tty_path = "/dev/pts/7";
    request.env = {{"LANG", "de_DE.UTF-8"}, {"LC_TIME", "C"}};
    const auto inv =
        build_hook_invocation("/x/tandem-shell", "", {}, request, {"tandem", "/var/lib/tandem"});
    EXPECT_TRUE(has(inv.env, "PATH=/usr/local/bin:/usr/bin:/bin"));
    EXPECT_TRUE(has(inv.env, "TERM=xterm-256color"));
    EXPECT_TRUE(has(inv.env, "LANG=de_DE.UTF-8"));
    EXPECT_TRUE(has(inv.env, "LC_TIME=C"));
    EXPECT_TRUE(has(inv.env, "SSH_TTY=/dev/pts/7"));
    EXPECT_TRUE(has(inv.env, "SSH_CONNECTION=127.0.0.1 50022 127.0.0.1 2222"));
    EXPECT_TRUE(has(inv.env, "SSH_CLIENT=127.0.0.1 50022 2222"));
    EXPECT_TRUE(has(inv.env, "USER=tandem"));
    EXPECT_TRUE(has(inv.env, "LOGNAME=tandem"));
    EXPECT_TRUE(has(inv.env, "HOME=/var/lib/tandem"));
    EXPECT_TRUE(has(inv.env, "TANDEM_FRONTEND=tandem-sshd"));
    EXPECT_FALSE(has_name(inv.env, "SSH_ORIGINAL_COMMAND"));
}

TEST(SshdHookCommand, ExecWithoutPtyEnvironment) {
    auto request = sample_request();
    request.command = "root@web01";
    const auto inv = build_hook_invocation("/x/tandem-shell", "", {}, request, {"tandem", "/"});
    EXPECT_TRUE(has(inv.env, "SSH_ORIGINAL_COMMAND=root@web01"));
    EXPECT_TRUE(has(inv.env, "TERM=dumb"));
    EXPECT_FALSE(has_name(inv.env, "SSH_TTY"));
}

TEST(SshdHookCommand, OnlyLocaleVariablesPassFromTheClient) {
    auto request = sample_request();
    request.env = {{"LD_PRELOAD", "/tmp/evil.so"}, {"PATH", "/tmp"}, {"LC_ALL", "C.UTF-8"}};
    const auto inv = build_hook_invocation("/x/tandem-shell", "", {}, request, {"tandem", "/"});
    EXPECT_FALSE(has_name(inv.env, "LD_PRELOAD"));
    EXPECT_FALSE(has(inv.env, "PATH=/tmp"));
    EXPECT_TRUE(has(inv.env, "LC_ALL=C.UTF-8"));
}

TEST(SshdHookCommand, AcceptedEnvNames) {
    EXPECT_TRUE(is_accepted_env_name("LANG"));
    EXPECT_TRUE(is_accepted_env_name("LC_ALL"));
    EXPECT_TRUE(is_accepted_env_name("LC_MESSAGES"));
    EXPECT_FALSE(is_accepted_env_name("LC_"));
    EXPECT_FALSE(is_accepted_env_name("LC_all"));
    EXPECT_FALSE(is_accepted_env_name("LANGUAGE"));
    EXPECT_FALSE(is_accepted_env_name("LD_PRELOAD"));
    EXPECT_FALSE(is_accepted_env_name("TANDEM_FRONTEND"));
    EXPECT_FALSE(is_accepted_env_name("LC_" + std::string(100, 'A')));
}

TEST(SshdHookCommand, EnvValuesAreBoundedAndPrintable) {
    EXPECT_TRUE(is_acceptable_env_value("en_US.UTF-8"));
    EXPECT_TRUE(is_acceptable_env_value(""));
    EXPECT_FALSE(is_acceptable_env_value("en US"));
    EXPECT_FALSE(is_acceptable_env_value("C\nX=1"));
    EXPECT_FALSE(is_acceptable_env_value(std::string(max_env_value_bytes + 1, 'a')));
}

TEST(SshdHookCommand, TerminalNames) {
    EXPECT_TRUE(is_acceptable_term("xterm-256color"));
    EXPECT_TRUE(is_acceptable_term("screen.xterm-256color"));
    EXPECT_TRUE(is_acceptable_term("vt100+"));
    EXPECT_FALSE(is_acceptable_term(""));
    EXPECT_FALSE(is_acceptable_term("xterm\x1b[31m"));
    EXPECT_FALSE(is_acceptable_term("x term"));
    EXPECT_FALSE(is_acceptable_term(std::string(max_term_bytes + 1, 'x')));
}

TEST(SshdHookCommand, HookPathDefaultsToBesideTheServer) {
    const auto any = [](const std::string&) { return true; };
    EXPECT_EQ(resolve_hook_path("", "/usr/sbin/tandem-sshd", any), "/usr/sbin/tandem-shell");
    EXPECT_EQ(resolve_hook_path("/opt/hook", "/usr/sbin/tandem-sshd", any), "/opt/hook");
    EXPECT_EQ(resolve_hook_path("", "tandem-sshd", any), "./tandem-shell");
}

TEST(SshdHookCommand, InstalledHookPathIsTheSiblingBinFolder) {
    // The packages install tandem-sshd in /usr/sbin and tandem-shell in /usr/bin.
    const auto only_usr_bin = [](const std::string& p) { return p == "/usr/bin/tandem-shell"; };
    EXPECT_EQ(resolve_hook_path("", "/usr/sbin/tandem-sshd", only_usr_bin),
              "/usr/bin/tandem-shell");
    const auto none = [](const std::string&) { return false; };
    EXPECT_EQ(resolve_hook_path("", "/usr/sbin/tandem-sshd", none), "/usr/sbin/tandem-shell");
    EXPECT_EQ(resolve_hook_path("", "/opt/t/libexec/tandem-sshd", none),
              "/opt/t/libexec/tandem-shell");
}

}  // namespace
}  // namespace tandem::sshd
