// tandem-admin's parser: every command of `tandem-admin help`, and every kind of bad input.
#include <gtest/gtest.h>

#include "admin_command.hpp"

namespace tandem::admin {
namespace {

Command parse(std::vector<std::string> args) {
    return parse_command(args);
}

// The UsageError line for args ("" when it parses).
std::string usage_error(std::vector<std::string> args) {
    try {
        parse_command(args);
    } catch (const UsageError& e) {
        const std::string what = e.what();
        EXPECT_EQ(what.find('\n'), std::string::npos) << "one line: " << what;
        return what;
    }
    return {};
}

TEST(AdminCliParser, Init) {
    const auto c = parse({"init", "--dir", "/tmp/x"});
    EXPECT_EQ(c.verb, Verb::init);
    EXPECT_EQ(c.dir, "/tmp/x");
    EXPECT_EQ(parse({"init", "--dir=/tmp/y"}).dir, "/tmp/y");
    EXPECT_NE(usage_error({"init"}).find("--dir"), std::string::npos);
    EXPECT_EQ(parse({"init", "--system"}).dir, "");
    EXPECT_NE(usage_error({"init", "--dir"}).find("needs a value"), std::string::npos);
    EXPECT_NE(usage_error({"init", "--dir", "a", "extra"}).find("'extra'"), std::string::npos);
    EXPECT_NE(usage_error({"init", "--dir", "a", "--dir", "b"}).find("twice"), std::string::npos);
}

TEST(AdminCliParser, UserAdd) {
    auto c = parse({"user", "add", "alice"});
    EXPECT_EQ(c.verb, Verb::user_add);
    EXPECT_EQ(c.user, "alice");
    EXPECT_FALSE(c.password_stdin);
    EXPECT_FALSE(c.admin);
    EXPECT_TRUE(c.key_files.empty());
    c = parse({"user", "add", "--admin", "bob.smith", "--key", "a.pub", "--password-stdin",
               "--key=b.pub"});
    EXPECT_EQ(c.user, "bob.smith");
    EXPECT_TRUE(c.admin);
    EXPECT_TRUE(c.password_stdin);
    EXPECT_EQ(c.key_files, (std::vector<std::string>{"a.pub", "b.pub"}));
    EXPECT_NE(usage_error({"user", "add"}).find("missing argument"), std::string::npos);
    EXPECT_NE(usage_error({"user", "add", "a", "b"}).find("'b'"), std::string::npos);
    EXPECT_NE(usage_error({"user", "add", "a", "--key"}).find("needs a value"), std::string::npos);
    EXPECT_NE(usage_error({"user", "add", "a", "--admin=yes"}).find("takes no value"),
              std::string::npos);
    EXPECT_NE(usage_error({"user", "add", "a", "--port", "1"}).find("unknown option '--port'"),
              std::string::npos);
}

TEST(AdminCliParser, UserNamesAreChecked) {
    for (const char* good :
         {"a", "_svc", "alice", "bob.smith", "x-y_z9", "abcdefghijklmnopqrstuvwxyz012345"})
        EXPECT_EQ(usage_error({"user", "add", good}), "") << good;
    for (const char* bad : {"Alice", "1abc", "-x", ".x", "a b", "a@b", "", "al/ce",
                            "abcdefghijklmnopqrstuvwxyz0123456", "é"})
        EXPECT_NE(usage_error({"user", "add", bad}), "") << bad;
    EXPECT_NE(usage_error({"user", "add", "join"}).find("reserved"), std::string::npos);
    EXPECT_NE(usage_error({"grant", "join", "root@web01"}).find("reserved"), std::string::npos);
    EXPECT_NE(usage_error({"user", "add", "Alice"}).find("invalid user name 'Alice'"),
              std::string::npos);
}

TEST(AdminCliParser, UserPasswdDelKey) {
    EXPECT_EQ(parse({"user", "passwd", "alice"}).verb, Verb::user_passwd);
    EXPECT_EQ(parse({"user", "del", "alice"}).verb, Verb::user_del);
    const auto c = parse({"user", "key", "add", "alice", "/k.pub"});
    EXPECT_EQ(c.verb, Verb::user_key_add);
    EXPECT_EQ(c.user, "alice");
    EXPECT_EQ(c.key_files, std::vector<std::string>{"/k.pub"});
    EXPECT_NE(usage_error({"user", "passwd"}), "");
    EXPECT_NE(usage_error({"user", "passwd", "a", "pw"}), "");  // never a password argument
    EXPECT_NE(usage_error({"user", "del"}), "");
    EXPECT_NE(usage_error({"user", "key", "add", "alice"}), "");
    EXPECT_NE(usage_error({"user", "key", "del", "alice", "k"}), "");
    EXPECT_NE(usage_error({"user"}).find("missing user command"), std::string::npos);
    EXPECT_NE(usage_error({"user", "rename", "a"}).find("unknown user command"), std::string::npos);
}

TEST(AdminCliParser, HostAddAndPin) {
    auto c = parse({"host", "add", "web01", "10.0.0.5"});
    EXPECT_EQ(c.verb, Verb::host_add);
    EXPECT_EQ(c.host, "web01");
    EXPECT_EQ(c.address, "10.0.0.5");
    EXPECT_EQ(c.port, 22);
    EXPECT_FALSE(c.host_key_file);
    c = parse({"host", "add", "DB-1.prod", "db1.example.com", "--port", "2222", "--host-key",
               "/etc/ssh/ssh_host_ed25519_key.pub"});
    EXPECT_EQ(c.port, 2222);
    EXPECT_EQ(c.host_key_file, "/etc/ssh/ssh_host_ed25519_key.pub");
    EXPECT_EQ(parse({"host", "add", "v6", "::1", "--port=22"}).address, "::1");
    c = parse({"host", "pin", "web01", "--host-key", "k.pub"});
    EXPECT_EQ(c.verb, Verb::host_pin);
    EXPECT_EQ(c.host_key_file, "k.pub");
    EXPECT_FALSE(parse({"host", "pin", "web01"}).host_key_file);

    for (const char* port : {"0", "65536", "x", "-1", "22x", ""})
        EXPECT_NE(usage_error({"host", "add", "h", "1.2.3.4", "--port", port}), "") << port;
    const std::string too_long(64, 'a');
    for (const std::string name : {"-web", ".web", "web_01", "a b", "", too_long.c_str()})
        EXPECT_NE(usage_error({"host", "add", name, "1.2.3.4"}), "") << name;
    EXPECT_NE(usage_error({"host", "add", "web01", "bad address"}).find("invalid address"),
              std::string::npos);
    EXPECT_NE(usage_error({"host", "add", "web01"}), "");
    EXPECT_NE(usage_error({"host", "add", "web01", "1.2.3.4", "extra"}), "");
    EXPECT_NE(usage_error({"host", "pin"}), "");
    EXPECT_NE(usage_error({"host", "rename", "web01"}).find("unknown host command"),
              std::string::npos);
    EXPECT_NE(usage_error({"host"}), "");
}

TEST(AdminCliParser, AccountAdd) {
    auto c = parse({"account", "add", "root@web01", "--key", "/k"});
    EXPECT_EQ(c.verb, Verb::account_add);
    EXPECT_EQ(c.account.login, "root");
    EXPECT_EQ(c.account.host, "web01");
    EXPECT_EQ(c.account_key_file, "/k");
    EXPECT_FALSE(c.password_stdin);
    c = parse({"account", "add", "deploy@db-1", "--password-stdin"});
    EXPECT_TRUE(c.password_stdin);
    EXPECT_FALSE(c.account_key_file);
    EXPECT_NE(usage_error({"account", "add", "root@web01"}).find("exactly one"), std::string::npos);
    EXPECT_NE(usage_error({"account", "add", "root@web01", "--key", "k", "--password-stdin"})
                  .find("exactly one"),
              std::string::npos);
    EXPECT_NE(usage_error({"account", "add", "--key", "k"}), "");
    EXPECT_NE(usage_error({"account", "del"}), "");
    EXPECT_NE(usage_error({"account", "move", "root@web01"}).find("unknown account command"),
              std::string::npos);
    EXPECT_NE(usage_error({"account"}), "");
}

TEST(AdminCliParser, AccountNames) {
    for (const char* bad : {"root", "root@", "@web01", "root@@web01", "ro ot@web01", "root@web01@x",
                            "root@-web", "root@web_01", "-r@web01"}) {
        EXPECT_NE(usage_error({"grant", "alice", bad}).find("LOGIN@HOST"), std::string::npos)
            << bad;
    }
    const auto c = parse({"grant", "alice", "Admin.1@web01.example"});
    EXPECT_EQ(c.account.login, "Admin.1");
    EXPECT_EQ(c.account.host, "web01.example");
}

TEST(AdminCliParser, GrantRevoke) {
    auto c = parse({"grant", "alice", "root@web01"});
    EXPECT_EQ(c.verb, Verb::grant);
    EXPECT_EQ(c.user, "alice");
    EXPECT_EQ(c.account.text(), "root@web01");
    c = parse({"revoke", "alice", "root@web01"});
    EXPECT_EQ(c.verb, Verb::revoke);
    EXPECT_NE(usage_error({"grant", "alice"}), "");
    EXPECT_NE(usage_error({"revoke"}), "");
    EXPECT_NE(usage_error({"grant", "alice", "root@web01", "x"}), "");
    EXPECT_NE(usage_error({"grant", "Alice", "root@web01"}).find("invalid user name"),
              std::string::npos);
}

TEST(AdminCliParser, SessionsAuditHelpVersion) {
    EXPECT_EQ(parse({"sessions"}).verb, Verb::sessions);
    EXPECT_EQ(parse({"sessions"}).limit, 0);
    EXPECT_EQ(parse({"sessions", "--limit", "5"}).limit, 5);
    EXPECT_EQ(parse({"audit"}).verb, Verb::audit);
    EXPECT_EQ(parse({"audit", "--limit=20"}).limit, 20);
    EXPECT_NE(usage_error({"audit", "--limit", "0"}), "");
    EXPECT_NE(usage_error({"sessions", "all"}), "");
    EXPECT_EQ(parse({"help"}).verb, Verb::help);
    EXPECT_EQ(parse({"--help"}).verb, Verb::help);
    EXPECT_EQ(parse({"--version"}).verb, Verb::version);
    EXPECT_NE(std::string(usage_text()).find("account add LOGIN@HOST"), std::string::npos);
}

TEST(AdminCliParser, UnknownAndMissingCommands) {
    EXPECT_NE(usage_error({}).find("no command"), std::string::npos);
    EXPECT_NE(usage_error({"frobnicate"}).find("unknown command 'frobnicate'"), std::string::npos);
    EXPECT_NE(usage_error({"--dir", "x"}), "");
    // "--" ends options: what follows is positional.
    EXPECT_EQ(parse({"user", "add", "--", "alice"}).user, "alice");
    EXPECT_NE(usage_error({"user", "add", "--", "--admin"}), "");
}

TEST(AdminCliParser, UserListShowDisableEnableKeyDel) {
    auto c = parse({"user", "list"});
    EXPECT_EQ(c.verb, Verb::user_list);
    EXPECT_FALSE(c.json);
    EXPECT_TRUE(parse({"user", "list", "--json"}).json);
    c = parse({"user", "show", "alice", "--json"});
    EXPECT_EQ(c.verb, Verb::user_show);
    EXPECT_EQ(c.user, "alice");
    EXPECT_TRUE(c.json);
    EXPECT_EQ(parse({"user", "disable", "alice"}).verb, Verb::user_disable);
    EXPECT_EQ(parse({"user", "enable", "alice"}).verb, Verb::user_enable);
    c = parse({"user", "key", "del", "alice", "SHA256:abc+/def"});
    EXPECT_EQ(c.verb, Verb::user_key_del);
    EXPECT_EQ(c.fingerprint, "SHA256:abc+/def");
    EXPECT_NE(usage_error({"user", "key", "del", "alice", "MD5:aa"}).find("SHA256:"),
              std::string::npos);
    EXPECT_NE(usage_error({"user", "list", "alice"}).find("unexpected argument"),
              std::string::npos);
    EXPECT_NE(usage_error({"user", "show"}).find("missing argument"), std::string::npos);
    EXPECT_NE(usage_error({"user", "disable", "Alice"}).find("invalid user name"),
              std::string::npos);
    EXPECT_NE(usage_error({"user", "enable", "a", "--json"}).find("unknown option"),
              std::string::npos);
}

TEST(AdminCliParser, HostListSetDel) {
    EXPECT_EQ(parse({"host", "list"}).verb, Verb::host_list);
    EXPECT_TRUE(parse({"host", "list", "--json"}).json);
    auto c = parse({"host", "del", "web01"});
    EXPECT_EQ(c.verb, Verb::host_del);
    EXPECT_FALSE(c.force);
    EXPECT_TRUE(parse({"host", "del", "web01", "--force"}).force);
    c = parse({"host", "set", "web01", "--address", "10.0.0.9"});
    EXPECT_EQ(c.verb, Verb::host_set);
    EXPECT_EQ(c.new_address, "10.0.0.9");
    EXPECT_FALSE(c.new_port);
    c = parse({"host", "set", "web01", "--port=2222"});
    EXPECT_EQ(c.new_port, 2222);
    EXPECT_FALSE(c.new_address);
    EXPECT_NE(usage_error({"host", "set", "web01"}).find("nothing to change"), std::string::npos);
    EXPECT_NE(usage_error({"host", "set", "web01", "--port", "0"}), "");
    EXPECT_NE(usage_error({"host", "set", "web01", "--address", "a b"}).find("invalid address"),
              std::string::npos);
    EXPECT_NE(usage_error({"host", "del"}), "");
}

TEST(AdminCliParser, AccountListSetDelAndGrantList) {
    auto c = parse({"account", "list"});
    EXPECT_EQ(c.verb, Verb::account_list);
    EXPECT_EQ(c.filter, "");
    c = parse({"account", "list", "web01", "--json"});
    EXPECT_EQ(c.filter, "web01");
    EXPECT_TRUE(c.json);
    EXPECT_NE(usage_error({"account", "list", "web_01"}).find("invalid host name"),
              std::string::npos);
    EXPECT_NE(usage_error({"account", "list", "a", "b"}), "");
    c = parse({"account", "del", "root@web01"});
    EXPECT_EQ(c.verb, Verb::account_del);
    EXPECT_EQ(c.account.text(), "root@web01");
    c = parse({"account", "set", "root@web01", "--password-stdin"});
    EXPECT_EQ(c.verb, Verb::account_set);
    EXPECT_TRUE(c.password_stdin);
    EXPECT_NE(usage_error({"account", "set", "root@web01"}).find("exactly one"), std::string::npos);

    EXPECT_EQ(parse({"grant", "list"}).verb, Verb::grant_list);
    EXPECT_EQ(parse({"grant", "list", "alice"}).filter, "alice");
    EXPECT_EQ(parse({"grant", "list", "root@web01", "--json"}).filter, "root@web01");
    EXPECT_NE(usage_error({"grant", "list", "root@"}).find("LOGIN@HOST"), std::string::npos);
    EXPECT_NE(usage_error({"grant", "list", "Alice"}).find("invalid user name"), std::string::npos);
    EXPECT_EQ(parse({"grant", "alice", "root@web01"}).verb, Verb::grant);  // still a grant
}

TEST(AdminCliParser, LiveSessionsAndAuditFilters) {
    auto c = parse({"sessions", "--live", "--json"});
    EXPECT_TRUE(c.live);
    EXPECT_TRUE(c.json);
    EXPECT_FALSE(parse({"sessions"}).live);
    c = parse({"audit", "--user", "alice", "--account", "root@web01", "--event", "session",
               "--since", "2026-11-01", "--until", "2026-11-30T12:30Z", "--json"});
    EXPECT_EQ(c.audit.user, "alice");
    EXPECT_EQ(c.audit.account, "root@web01");
    EXPECT_EQ(c.audit.event, "session");
    EXPECT_EQ(c.audit.since, 1793491200);  // 2026-11-01T00:00:00Z
    EXPECT_EQ(c.audit.until, 1795996800 + 12 * 3600 + 30 * 60);
    EXPECT_TRUE(c.json);
    EXPECT_NE(usage_error({"audit", "--since", "yesterday"}).find("bad time 'yesterday'"),
              std::string::npos);
    EXPECT_NE(usage_error({"audit", "--since", "2026-11-30", "--until", "2026-11-01"})
                  .find("--since is after --until"),
              std::string::npos);
    EXPECT_NE(usage_error({"audit", "--event", "Session Start"}).find("bad event"),
              std::string::npos);
    EXPECT_NE(usage_error({"audit", "--account", "root"}).find("LOGIN@HOST"), std::string::npos);
    EXPECT_NE(usage_error({"sessions", "--user", "a"}).find("unknown option"), std::string::npos);
}

TEST(AdminCliParser, TimeBounds) {
    const UnixTime now = 1'800'000'000;
    EXPECT_EQ(parse_time_bound("2026-11-30", now), 1795996800);
    EXPECT_EQ(parse_time_bound("2026-11-30T12:30Z", now), 1795996800 + 12 * 3600 + 30 * 60);
    EXPECT_EQ(parse_time_bound("2026-11-30T12:30:15Z", now), 1795996800 + 45015);
    EXPECT_EQ(parse_time_bound("90s", now), now - 90);
    EXPECT_EQ(parse_time_bound("30m", now), now - 1800);
    EXPECT_EQ(parse_time_bound("2h", now), now - 7200);
    EXPECT_EQ(parse_time_bound("7d", now), now - 7 * 86400);
    for (const char* bad : {"", "2026-13-01", "2026-11-30T25:00Z", "2026-11-30 12:00", "-5m", "5w",
                            "1234567m", "now"})
        EXPECT_THROW(parse_time_bound(bad, now), UsageError) << bad;
}

TEST(AdminCliParser, UserRoles) {
    EXPECT_TRUE(parse({"user", "add", "carol", "--auditor"}).auditor);
    EXPECT_FALSE(parse({"user", "add", "carol"}).auditor);
    auto c = parse({"user", "set", "carol", "--auditor"});
    EXPECT_EQ(c.verb, Verb::user_set);
    EXPECT_EQ(c.user, "carol");
    EXPECT_EQ(c.set_auditor, std::optional<bool>(true));
    EXPECT_FALSE(c.set_admin);
    c = parse({"user", "set", "carol", "--no-admin", "--no-auditor"});
    EXPECT_EQ(c.set_admin, std::optional<bool>(false));
    EXPECT_EQ(c.set_auditor, std::optional<bool>(false));
    EXPECT_NE(usage_error({"user", "set", "carol"}).find("usage"), std::string::npos);
    EXPECT_NE(usage_error({"user", "set", "carol", "--admin", "--no-admin"}).find("usage"),
              std::string::npos);
    EXPECT_NE(usage_error({"user", "set", "--auditor"}).find("missing argument"),
              std::string::npos);
}

TEST(AdminCliParser, HelpListsEveryCommand) {
    const std::string help = usage_text();
    for (const char* command : {"user list",
                                "user show",
                                "user disable",
                                "user enable",
                                "user key del",
                                "user set",
                                "--auditor",
                                "host list",
                                "host set",
                                "host del",
                                "--force",
                                "account list",
                                "account set",
                                "account del",
                                "grant list",
                                "sessions [--live]",
                                "--json",
                                "--user U",
                                "--account LOGIN@HOST",
                                "--event E",
                                "--since T",
                                "--until T",
                                "--version"})
        EXPECT_NE(help.find(command), std::string::npos) << command;
}

}  // namespace
}  // namespace tandem::admin
