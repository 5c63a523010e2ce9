#include "tandem/config.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tandem/errors.hpp"

namespace tandem {
namespace {

namespace fs = std::filesystem;

class ConfigTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/tandem-config-test-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        ::unsetenv("TANDEM_CONFIG");
    }
    void TearDown() override {
        ::unsetenv("TANDEM_CONFIG");
        fs::remove_all(dir_);
    }
    std::string write(const std::string& name, const std::string& text) {
        const std::string path = dir_ + "/" + name;
        std::ofstream(path) << text;
        return path;
    }
    static CommandLine cli(std::vector<std::string> args) {
        std::vector<const char*> argv{"prog"};
        for (const auto& a : args) argv.push_back(a.c_str());
        return split_command_line(static_cast<int>(argv.size()), argv.data());
    }
    // The detail of the T_101 error load_config throws, or "" when it does not throw.
    static std::string load_error(const CommandLine& c) {
        try {
            load_config(c);
        } catch (const TandemError& e) {
            EXPECT_EQ(e.code(), ErrorCode::T_101_bad_config);
            return e.detail();
        }
        return {};
    }
    std::string dir_;
};

TEST_F(ConfigTest, ParseDurationUnits) {
    EXPECT_EQ(parse_duration("30m"), Millis(30 * 60 * 1000));
    EXPECT_EQ(parse_duration("10s"), Millis(10'000));
    EXPECT_EQ(parse_duration("24h"), Millis(24LL * 3600 * 1000));
    EXPECT_EQ(parse_duration("250ms"), Millis(250));
    EXPECT_EQ(parse_duration("2d"), Millis(2LL * 86400 * 1000));
    EXPECT_EQ(parse_duration("45"), Millis(45'000));
    EXPECT_EQ(parse_duration("0s"), Millis(0));
    for (const char* bad : {"", "m", "10x", "-5s", "1.5h", "10 s", "s10", "9999999999s", "10mm"})
        EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
}

TEST_F(ConfigTest, ParseEscapeKey) {
    EXPECT_EQ(parse_escape_key("^]"), 0x1d);
    EXPECT_EQ(parse_escape_key("^A"), 0x01);
    EXPECT_EQ(parse_escape_key("^a"), 0x01);
    EXPECT_EQ(parse_escape_key("^\\"), 0x1c);
    EXPECT_EQ(parse_escape_key("^?"), 0x7f);
    EXPECT_EQ(parse_escape_key("none"), -1);
    for (const char* bad : {"", "]", "^", "^]]", "^[", "^1", "ctrl-]", "None"})
        EXPECT_FALSE(parse_escape_key(bad).has_value()) << bad;
}

TEST_F(ConfigTest, ParseHostPort) {
    EXPECT_EQ(parse_host_port("0.0.0.0:2222"),
              std::make_pair(std::string("0.0.0.0"), std::uint16_t{2222}));
    EXPECT_EQ(parse_host_port("[::1]:22"), std::make_pair(std::string("::1"), std::uint16_t{22}));
    EXPECT_EQ(parse_host_port("localhost:0"),
              std::make_pair(std::string("localhost"), std::uint16_t{0}));
    for (const char* bad :
         {"", "host", ":22", "host:", "host:65536", "::1:22", "[::1]22", "a b:22", "host:2x"})
        EXPECT_FALSE(parse_host_port(bad).has_value()) << bad;
}

TEST_F(ConfigTest, SplitCommandLineSeparatesCommonOptions) {
    const auto c = cli({"--config", "/x.conf", "user", "add", "--ssh.listen=127.0.0.1:0", "alice",
                        "--key", "k.pub", "--target.keepalive_count", "4"});
    EXPECT_EQ(c.config_path, "/x.conf");
    ASSERT_EQ(c.overrides.size(), 2u);
    EXPECT_EQ(c.overrides[0],
              std::make_pair(std::string("ssh.listen"), std::string("127.0.0.1:0")));
    EXPECT_EQ(c.overrides[1],
              std::make_pair(std::string("target.keepalive_count"), std::string("4")));
    EXPECT_EQ(c.rest, (std::vector<std::string>{"user", "add", "alice", "--key", "k.pub"}));
    EXPECT_EQ(cli({"--config=/y.conf"}).config_path, "/y.conf");
    // After "--" nothing is an option any more.
    EXPECT_EQ(cli({"--", "--ssh.listen=x"}).rest,
              (std::vector<std::string>{"--", "--ssh.listen=x"}));
}

TEST_F(ConfigTest, DefaultsWhenNoFileExists) {
    const Config c = load_config(cli({}));
    if (!fs::exists("/etc/tandem/tandem.conf")) {
        EXPECT_EQ(c.config_path, "");
    }
    EXPECT_EQ(Config{}.ssh_listen, "0.0.0.0:2222");
    EXPECT_EQ(Config{}.session_escape_key, 0x1d);
}

TEST_F(ConfigTest, FileValuesAndCommandLineOverridesWin) {
    const auto path = write("t.conf",
                            "[ssh]\nlisten = 127.0.0.1:2200   # comment\n"
                            "[target]\nkeepalive_interval = 2s\nkeepalive_count = 7\n"
                            "[session]\nescape_key = ^A\n[invite]\nttl = 10m\nmax_ttl = 2h\n"
                            "[store]\npath = /tmp/x.db\n");
    Config c = load_config_file(path);
    EXPECT_EQ(c.config_path, path);
    EXPECT_EQ(c.ssh_listen, "127.0.0.1:2200");
    EXPECT_EQ(c.target_keepalive_interval, Seconds(2));
    EXPECT_EQ(c.target_keepalive_count, 7);
    EXPECT_EQ(c.session_escape_key, 0x01);
    EXPECT_EQ(c.invite_ttl, Seconds(600));
    EXPECT_EQ(c.invite_max_ttl, Seconds(7200));
    EXPECT_EQ(c.store_path, "/tmp/x.db");
    EXPECT_EQ(c.web_listen, Config{}.web_listen);  // untouched keys keep their defaults

    c = load_config(cli({"--config", path, "--ssh.listen=127.0.0.1:9999",
                         "--target.keepalive_count=1", "--target.keepalive_count=2"}));
    EXPECT_EQ(c.ssh_listen, "127.0.0.1:9999");
    EXPECT_EQ(c.target_keepalive_count, 2);  // the last override wins
    EXPECT_EQ(c.target_keepalive_interval, Seconds(2));
}

TEST_F(ConfigTest, TandemConfigEnvironmentNamesTheFile) {
    const auto path = write("env.conf", "[web]\npublic_url = https://b.example:8443\n");
    ::setenv("TANDEM_CONFIG", path.c_str(), 1);
    const Config c = load_config(cli({}));
    EXPECT_EQ(c.config_path, path);
    EXPECT_EQ(c.web_public_url, "https://b.example:8443");
    // Named explicitly or through the environment, a missing file is an error.
    ::setenv("TANDEM_CONFIG", (dir_ + "/missing.conf").c_str(), 1);
    EXPECT_NE(load_error(cli({})).find("missing.conf"), std::string::npos);
    ::unsetenv("TANDEM_CONFIG");
    // Neither named: the system file when there is one, else the defaults alone.
    if (!std::filesystem::exists("/etc/tandem/tandem.conf")) {
        EXPECT_EQ(load_config(cli({})).config_path, "");
    }
    // --config wins over the environment.
    ::setenv("TANDEM_CONFIG", (dir_ + "/missing.conf").c_str(), 1);
    EXPECT_EQ(load_config(cli({"--config", path})).config_path, path);
    ::unsetenv("TANDEM_CONFIG");
    EXPECT_NE(load_error(cli({"--config", dir_ + "/nope.conf"})).find("nope.conf"),
              std::string::npos);
}

TEST_F(ConfigTest, UnknownKeysAndBadValuesNameTheKey) {
    const auto unknown = write("u.conf", "[ssh]\nlisten = 0.0.0.0:22\nlistne = x\n");
    EXPECT_NE(load_error(cli({"--config", unknown})).find("ssh.listne"), std::string::npos);
    const auto bad = write("b.conf", "[target]\nkeepalive_interval = soon\n");
    EXPECT_NE(load_error(cli({"--config", bad})).find("target.keepalive_interval"),
              std::string::npos);
    EXPECT_NE(load_error(cli({"--session.escape_key=^["})).find("session.escape_key"),
              std::string::npos);
    EXPECT_NE(load_error(cli({"--ssh.nothing=1"})).find("ssh.nothing"), std::string::npos);
    EXPECT_NE(load_error(cli({"--ssh.listen=nowhere"})).find("ssh.listen"), std::string::npos);
    EXPECT_NE(load_error(cli({"--target.keepalive_count=0"})).find("target.keepalive_count"),
              std::string::npos);
    EXPECT_NE(load_error(cli({"--target.connect_timeout=250ms"})).find("target.connect_timeout"),
              std::string::npos);
    EXPECT_NE(load_error(cli({"--log.level=loud"})).find("log.level"), std::string::npos);
    EXPECT_NE(load_error(cli({"--web.public_url=ftp://x"})).find("web.public_url"),
              std::string::npos);
    EXPECT_NE(load_error(cli({"--invite.ttl=48h"})).find("invite.ttl"), std::string::npos);
    const auto dup = write("d.conf", "[ssh]\nlisten = 0.0.0.0:1\nlisten = 0.0.0.0:2\n");
    EXPECT_NE(load_error(cli({"--config", dup})).find("'ssh.listen' given more than once"),
              std::string::npos);
    const auto junk = write("j.conf", "[ssh]\nthis is not a setting\n");
    EXPECT_NE(load_error(cli({"--config", junk})).find("(this is not a setting)"),
              std::string::npos);
    // The user-facing text is the catalogue sentence.
    try {
        load_config(cli({"--ssh.nothing=1"}));
        FAIL();
    } catch (const TandemError& e) {
        EXPECT_EQ(std::string(e.what()), user_message(ErrorCode::T_101_bad_config));
    }
}

// Found by the config fuzz target: a line holding one of Boost's message placeholders made
// the error message loop forever (every binary hung at start on such a file). It is refused
// with T_101 at once; the control is the same file without the placeholder.
TEST_F(ConfigTest, ALineHoldingAMessagePlaceholderIsRefusedNotHung) {
    for (const char* line : {"%invalid_line%", "x%invalid_line%y", "%canonical_option%"}) {
        const auto path = write("p.conf", std::string("[ssh]\n") + line + "\n");
        EXPECT_NE(load_error(cli({"--config", path})).find(line), std::string::npos) << line;
    }
    const auto fine = write("f.conf", "[ssh]\nlisten = 127.0.0.1:2222\n");
    EXPECT_EQ(load_config(cli({"--config", fine})).ssh_listen, "127.0.0.1:2222");
}

TEST_F(ConfigTest, EmptyValuesAllowedOnlyWhereMeaningful) {
    const Config c = load_config(cli({"--ssh.shell=", "--log.file="}));
    EXPECT_EQ(c.ssh_shell, "");
    EXPECT_EQ(c.log_file, "");
    EXPECT_NE(load_error(cli({"--store.path="})).find("store.path"), std::string::npos);
}

// admin.announce_watch: on unless set to false; nothing but true or false.
TEST_F(ConfigTest, AnnounceWatch) {
    EXPECT_TRUE(Config{}.admin_announce_watch);
    EXPECT_FALSE(load_config(cli({"--admin.announce_watch=false"})).admin_announce_watch);
    EXPECT_TRUE(load_config(cli({"--admin.announce_watch=true"})).admin_announce_watch);
    EXPECT_NE(load_error(cli({"--admin.announce_watch=no"})).find("admin.announce_watch"),
              std::string::npos);
}

// ssh.max_startups as OpenSSH's MaxStartups; broker.uid optional.
TEST_F(ConfigTest, MaxStartupsAndBrokerUid) {
    const Config defaults{};
    EXPECT_EQ(defaults.ssh_max_startups.start, 10);
    EXPECT_EQ(defaults.ssh_max_startups.rate, 30);
    EXPECT_EQ(defaults.ssh_max_startups.full, 100);
    EXPECT_EQ(defaults.ssh_per_source_max_startups, 10);
    EXPECT_EQ(defaults.broker_uid, -1);
    const Config c = load_config(cli({"--ssh.max_startups=5:50:20", "--broker.uid=998"}));
    EXPECT_EQ(c.ssh_max_startups.start, 5);
    EXPECT_EQ(c.ssh_max_startups.rate, 50);
    EXPECT_EQ(c.ssh_max_startups.full, 20);
    EXPECT_EQ(c.broker_uid, 998);
    const Config single = load_config(cli({"--ssh.max_startups=7"}));
    EXPECT_EQ(single.ssh_max_startups.start, 7);
    EXPECT_EQ(single.ssh_max_startups.full, 7);
    for (const char* bad : {"--ssh.max_startups=20:30:10", "--ssh.max_startups=10:0:100",
                            "--ssh.max_startups=10:101:100", "--ssh.max_startups=0",
                            "--ssh.max_startups=10:30", "--ssh.max_startups=a:b:c"})
        EXPECT_NE(load_error(cli({bad})).find("ssh.max_startups"), std::string::npos) << bad;
    EXPECT_NE(load_error(cli({"--ssh.per_source_max_startups=0"})).find("per_source"),
              std::string::npos);
    EXPECT_NE(load_error(cli({"--broker.uid=-5"})).find("broker.uid"), std::string::npos);
}

TEST_F(ConfigTest, RenderedConfigLoadsBackIdentically) {
    Config original;
    original.store_path = "/srv/t/tandem.db";
    original.ssh_listen = "127.0.0.1:2022";
    original.ssh_public_address = "bastion.example:22";
    original.invite_ttl = Seconds(90);
    original.invite_max_ttl = Seconds(2 * 86400);
    original.session_escape_key = -1;
    original.target_keepalive_interval = Seconds(1);
    original.log_level = "debug";
    const std::string text = render_config(original);
    for (const auto& key : config_keys()) {
        const auto dot = key.find('.');
        EXPECT_NE(text.find("[" + key.substr(0, dot) + "]"), std::string::npos) << key;
        EXPECT_NE(text.find("\n" + key.substr(dot + 1) + " ="), std::string::npos) << key;
    }
    const Config loaded = load_config_file(write("r.conf", text));
    EXPECT_EQ(render_config(loaded), text);
    EXPECT_EQ(loaded.session_escape_key, -1);
    EXPECT_EQ(loaded.invite_ttl, Seconds(90));
    EXPECT_EQ(loaded.ssh_public_address, "bastion.example:22");
}

TEST_F(ConfigTest, ApplyOverridesKeepsBase) {
    Config base;
    base.store_path = "/a/b.db";
    const Config c = apply_overrides(base, {{"ssh.listen", "127.0.0.1:1"}});
    EXPECT_EQ(c.store_path, "/a/b.db");
    EXPECT_EQ(c.ssh_listen, "127.0.0.1:1");
    EXPECT_THROW(apply_overrides(base, {{"x.y", "1"}}), TandemError);
}

// docs/configuration.md has a row for every key, with the real default.
TEST_F(ConfigTest, EveryKeyIsDocumentedWithItsDefault) {
    std::ifstream in(std::string(TANDEM_SOURCE_DIR) + "/docs/configuration.md");
    ASSERT_TRUE(in);
    const std::string doc((std::istreambuf_iterator<char>(in)), {});
    // Defaults as the code renders them: "key = value" lines under "[section]".
    std::istringstream rendered(render_config(Config{}));
    std::string section;
    int rows = 0;
    for (std::string line; std::getline(rendered, line);) {
        if (line.empty() || line[0] == '#') continue;
        if (line[0] == '[') {
            section = line.substr(1, line.size() - 2);
            continue;
        }
        const auto eq = line.find(" =");
        const std::string key = section + "." + line.substr(0, eq);
        const std::string value = eq + 2 < line.size() ? line.substr(eq + 3) : "";
        const std::string row = "| `" + key + "` | " +
                                (value.empty() ? std::string("*(empty)*") : "`" + value + "`") +
                                " |";
        EXPECT_NE(doc.find(row), std::string::npos) << "missing or wrong row: " << row;
        ++rows;
    }
    EXPECT_EQ(rows, static_cast<int>(config_keys().size()));
}

}  // namespace
}  // namespace tandem
