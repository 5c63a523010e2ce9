// The built tandem-admin binary end to end: what an operator types and sees (exit codes, the
// one-line errors, the tables), on a fresh instance.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tandem/files.hpp"
#include "tandem/store.hpp"
#include "tandem/version.hpp"

namespace tandem {
namespace {

namespace fs = std::filesystem;

struct Result {
    int code = -1;
    std::string out;
    std::string err;
};

std::string slurp(const std::string& path) {
    return read_file(path, 1 << 20);
}

class AdminBinaryTest : public ::testing::Test {
  protected:
    void SetUp() override {
        admin_ = fs::read_symlink("/proc/self/exe").parent_path() / "tandem-admin";
        if (!fs::exists(admin_)) GTEST_SKIP() << "tandem-admin not built beside the tests";
        char tmpl[] = "/tmp/tandem-admin-e2e-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        conf_ = dir_ + "/inst/tandem.conf";
    }
    void TearDown() override {
        if (!dir_.empty()) fs::remove_all(dir_);
    }
    // Runs tandem-admin with args (shell words) and optional stdin text.
    Result admin(const std::string& args, const std::string& input = "") {
        std::ofstream(dir_ + "/stdin") << input;
        const std::string cmd = "TANDEM_CONFIG=" + conf_ + " " + admin_.string() + " " + args +
                                " <" + dir_ + "/stdin >" + dir_ + "/stdout 2>" + dir_ + "/stderr";
        const int status = std::system(cmd.c_str());
        Result r;
        r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        r.out = slurp(dir_ + "/stdout");
        r.err = slurp(dir_ + "/stderr");
        return r;
    }
    // Expects failure with exactly one stderr line containing `text`.
    void expect_error(const std::string& args, const std::string& text,
                      const std::string& input = "") {
        const Result r = admin(args, input);
        EXPECT_NE(r.code, 0) << args;
        EXPECT_EQ(r.err.rfind("tandem-admin: ", 0), 0u) << args << ": " << r.err;
        EXPECT_NE(r.err.find(text), std::string::npos) << args << ": " << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
    }
    std::string keygen(const std::string& name) {
        const std::string path = dir_ + "/" + name;
        std::system(("ssh-keygen -q -t ed25519 -N '' -C " + name + " -f " + path).c_str());
        return path;
    }

    fs::path admin_;
    std::string dir_;
    std::string conf_;
};

TEST_F(AdminBinaryTest, OperatorWorkflow) {
    Result r = admin("init --dir " + dir_ + "/inst --ssh.listen=127.0.0.1:2222");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("created tandem instance in " + dir_ + "/inst"), std::string::npos);
    EXPECT_NE(slurp(conf_).find("listen = 127.0.0.1:2222"), std::string::npos);
    expect_error("init --dir " + dir_ + "/inst", "already exists");

    const auto alice_key = keygen("alice");
    r = admin("user add alice --password-stdin --key " + alice_key + ".pub", "pw\n");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("added user alice (1 key, web password set)"), std::string::npos);
    expect_error("user add alice", "user 'alice' already exists");
    expect_error("user add bob --key " + alice_key + ".pub", "already registered to user 'alice'");
    expect_error("user add bob --key " + alice_key, "malformed key file");
    expect_error("user add join", "reserved");
    expect_error("user del bob", "unknown user 'bob'");
    expect_error("user passwd alice", "no password", "");
    EXPECT_EQ(admin("user passwd alice", "new-pw\n").code, 0);
    EXPECT_EQ(admin("user key add alice " + keygen("alice2") + ".pub").code, 0);

    const auto host_key = keygen("ssh_host_ed25519_key");
    r = admin("host add web01 127.0.0.1 --port 2200 --host-key " + host_key + ".pub");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("SHA256:"), std::string::npos);
    expect_error("host add web01 127.0.0.1 --host-key " + host_key + ".pub", "already exists");

    const auto account_key = keygen("account_key");
    EXPECT_EQ(admin("account add root@web01 --key " + account_key).code, 0);
    r = admin("account add deploy@web01 --password-stdin", "s3cret\n");
    EXPECT_EQ(r.code, 0) << r.err;
    expect_error("account add root@web09 --key " + account_key, "unknown host 'web09'");
    expect_error("account add root@web01 --key " + dir_ + "/missing", "unreadable credential");
    expect_error("account add rootweb01 --key " + account_key, "LOGIN@HOST");

    EXPECT_EQ(admin("grant alice root@web01").code, 0);
    expect_error("grant alice root@web01", "already holds a grant");
    expect_error("grant alice admin@web01", "unknown account 'admin@web01'");
    EXPECT_EQ(admin("revoke alice root@web01").code, 0);
    expect_error("revoke alice root@web01", "holds no grant");

    r = admin("sessions");
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out, "STARTED  DURATION  USER  ACCOUNT  VIA  STATUS  CLIENT  ID  RECORDING\n");
    {
        // Sessions as tandem-shell records them: one ended by T_514, a newer one still live.
        Store store = Store::open_existing(dir_ + "/inst/tandem.db");
        SessionRecord rec;
        rec.user_id = store.find_user("alice")->id;
        rec.account_id = store.find_account("root", "web01")->id;
        rec.started_at = now_unix() - 100;
        rec.client = "ssh 127.0.0.1:50000";
        rec.recording_path = dir_ + "/inst/recordings/a.cast";
        store.end_session(store.begin_session(rec), std::nullopt, "T_514");
        rec.started_at = now_unix() - 10;
        store.begin_session(rec);
    }
    r = admin("sessions");
    ASSERT_EQ(r.code, 0);
    const auto live = r.out.find("live");
    const auto dropped = r.out.find("T_514");
    ASSERT_NE(live, std::string::npos) << r.out;
    ASSERT_NE(dropped, std::string::npos) << r.out;
    EXPECT_LT(live, dropped) << "newest first:\n" << r.out;
    // The ended row: its duration (ended - started, about 100 s), who, what, why.
    const std::string ended_row = r.out.substr(
        r.out.rfind('\n', dropped) + 1, r.out.find('\n', dropped) - r.out.rfind('\n', dropped));
    EXPECT_TRUE(std::regex_search(
        ended_row,
        std::regex(R"(  0:01:4[01] +alice +root@web01 +ssh +T_514 +ssh 127\.0\.0\.1:50000 )")))
        << ended_row;
    const std::string one = admin("sessions --limit 1").out;
    EXPECT_EQ(std::count(one.begin(), one.end(), '\n'), 2) << one;  // header + newest
    r = admin("audit");
    ASSERT_EQ(r.code, 0);
    // Newest first, aligned, with the invoking Unix user as actor.
    EXPECT_EQ(r.out.rfind("AT ", 0), 0u);
    const auto revoke_at = r.out.find(" revoke ");
    const auto init_at = r.out.find(" instance.init ");
    ASSERT_NE(revoke_at, std::string::npos);
    ASSERT_NE(init_at, std::string::npos);
    EXPECT_LT(revoke_at, init_at);
    // "2026-11-28T01:02:03Z" is 20 columns, then two spaces: every ACTOR starts at column 22.
    EXPECT_EQ(r.out.find("ACTOR"), 22u) << r.out;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
        ASSERT_GT(line.size(), 23u) << line;
        EXPECT_EQ(line.substr(20, 2), "  ") << line;
        EXPECT_NE(line[22], ' ') << line;
    }
    EXPECT_EQ(r.out.find("s3cret"), std::string::npos);  // never a secret in the audit log

    EXPECT_EQ(admin("user del alice").code, 0);
    expect_error("grant alice root@web01", "unknown user 'alice'");
    expect_error("--ssh.bogus=1 audit", "ssh.bogus");
    expect_error("frobnicate", "unknown command");
    EXPECT_EQ(admin("frobnicate").code, 2);
}

// The listings, their JSON, and every refusal an operator can meet on the new commands.
TEST_F(AdminBinaryTest, ListingsShowAndJson) {
    ASSERT_EQ(admin("init --dir " + dir_ + "/inst").code, 0);
    const auto alice_key = keygen("alice");
    ASSERT_EQ(
        admin("user add alice --admin --password-stdin --key " + alice_key + ".pub", "pw\n").code,
        0);
    ASSERT_EQ(admin("user add bob").code, 0);
    const auto host_key = keygen("hostkey");
    ASSERT_EQ(admin("host add web01 127.0.0.1 --port 2200 --host-key " + host_key + ".pub").code,
              0);
    ASSERT_EQ(admin("host add db01 127.0.0.2 --host-key " + host_key + ".pub").code, 0);
    ASSERT_EQ(admin("account add root@web01 --key " + keygen("acct")).code, 0);
    ASSERT_EQ(admin("account add deploy@web01 --password-stdin", "s3cret\n").code, 0);
    ASSERT_EQ(admin("grant alice root@web01").code, 0);
    ASSERT_EQ(admin("grant bob root@web01").code, 0);
    ASSERT_EQ(admin("grant bob deploy@web01").code, 0);

    Result r = admin("user list");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(
        std::regex_search(r.out, std::regex(R"(^USER +ADMIN +AUDITOR +DISABLED +WEB PASSWORD)")));
    EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\nalice +yes +no +no +set +1 +1 )")))
        << r.out;
    EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\nbob +no +no +no +not set +0 +2 )")))
        << r.out;
    auto j = nlohmann::json::parse(admin("user list --json").out);
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(j[0]["name"], "alice");
    EXPECT_EQ(j[0]["admin"], true);
    EXPECT_EQ(j[0]["auditor"], false);
    EXPECT_EQ(j[0]["disabled"], false);
    EXPECT_EQ(j[0]["web_password"], true);
    EXPECT_EQ(j[0]["keys"], 1);
    EXPECT_EQ(j[1]["grants"], 2);

    const std::string fingerprint =
        nlohmann::json::parse(admin("user show alice --json").out)["keys"][0]["fingerprint"];
    EXPECT_EQ(fingerprint.rfind("SHA256:", 0), 0u);
    r = admin("user show alice");
    EXPECT_NE(r.out.find("web password: set"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(fingerprint), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("grants:\n  root@web01\n"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("$scrypt"), std::string::npos);  // never the hash
    expect_error("user show carol", "unknown user 'carol'");

    j = nlohmann::json::parse(admin("host list --json").out);
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(j[1]["name"], "web01");
    EXPECT_EQ(j[1]["port"], 2200);
    EXPECT_EQ(j[1]["accounts"], 2);
    EXPECT_EQ(j[1]["host_key_type"], "ssh-ed25519");
    EXPECT_EQ(j[0]["accounts"], 0);

    r = admin("account list web01");
    EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\ndeploy@web01 +password +1\n)"))) << r.out;
    EXPECT_EQ(r.out.find("s3cret"), std::string::npos);
    j = nlohmann::json::parse(admin("account list --json").out);
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(j[1]["account"], "root@web01");
    EXPECT_EQ(j[1]["credential"], "private_key");
    EXPECT_EQ(j[1]["grants"], 2);
    EXPECT_TRUE(nlohmann::json::parse(admin("account list db01 --json").out).empty());
    expect_error("account list web09", "unknown host 'web09'");

    j = nlohmann::json::parse(admin("grant list bob --json").out);
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(j[0]["user"], "bob");
    EXPECT_EQ(j[0]["account"], "deploy@web01");
    EXPECT_TRUE(j[0].contains("granted_at"));
    r = admin("grant list root@web01");
    EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\nalice +root@web01 )"))) << r.out;
    EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\nbob +root@web01 )"))) << r.out;
    EXPECT_EQ(r.out.find("deploy"), std::string::npos);
    expect_error("grant list nobody@web01", "unknown account 'nobody@web01'");

    // Changes, each with its refusal.
    expect_error("host del web01", "still has 2 accounts (deploy@web01, root@web01)");
    EXPECT_EQ(admin("host del db01").code, 0);
    r = admin("host set web01 --address 127.0.0.3");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(admin("host list --json").out)[0]["address"], "127.0.0.3");
    expect_error("host set web09 --port 22", "unknown host 'web09'");
    expect_error("account set admin@web01 --password-stdin", "unknown account 'admin@web01'",
                 "x\n");
    r = admin("account set deploy@web01 --password-stdin", "n3w\n");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("updated the credential of account deploy@web01"), std::string::npos);
    EXPECT_EQ(admin("account del deploy@web01").code, 0);
    expect_error("account del deploy@web01", "unknown account 'deploy@web01'");
    EXPECT_EQ(nlohmann::json::parse(admin("grant list bob --json").out).size(), 1u);
    expect_error("user key del alice SHA256:nope", "alice has no key SHA256:nope");
    EXPECT_EQ(admin("user key del alice " + fingerprint).code, 0);
    EXPECT_TRUE(nlohmann::json::parse(admin("user show alice --json").out)["keys"].empty());
    EXPECT_EQ(admin("user disable bob").code, 0);
    expect_error("user disable bob", "already disabled");
    EXPECT_EQ(nlohmann::json::parse(admin("user show bob --json").out)["disabled"], true);
    EXPECT_EQ(admin("user enable bob").code, 0);
    expect_error("user enable bob", "already enabled");
    r = admin("host del web01 --force");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("with its accounts root@web01"), std::string::npos) << r.out;
    EXPECT_TRUE(nlohmann::json::parse(admin("grant list --json").out).empty());

    // The audit search, table and JSON.
    j = nlohmann::json::parse(admin("audit --user bob --json").out);
    std::vector<std::string> actions;
    for (const auto& e : j) actions.push_back(e["action"]);
    EXPECT_EQ(actions, (std::vector<std::string>{"user.enable", "user.disable", "grant", "grant",
                                                 "user.add"}));
    j = nlohmann::json::parse(admin("audit --event host --since 1h --json").out);
    ASSERT_EQ(j.size(), 5u);  // add, add, del, set, del
    EXPECT_EQ(j[0]["action"], "host.del");
    EXPECT_EQ(j[0]["subject"], "web01");
    EXPECT_EQ(j[0]["detail"], "accounts=root@web01");
    EXPECT_TRUE(j[0].contains("at") && j[0].contains("actor"));
    r = admin("audit --account deploy@web01");
    EXPECT_TRUE(std::regex_search(r.out, std::regex(R"( account\.del +deploy@web01)"))) << r.out;
    EXPECT_EQ(admin("audit --until 2000-01-01 --json").out, "[]\n");
    expect_error("audit --since later", "bad time 'later'");
}

TEST_F(AdminBinaryTest, LiveSessionsFromTheStore) {
    ASSERT_EQ(admin("init --dir " + dir_ + "/inst").code, 0);
    ASSERT_EQ(admin("user add alice").code, 0);
    ASSERT_EQ(admin("host add web01 127.0.0.1 --host-key " + keygen("hk") + ".pub").code, 0);
    ASSERT_EQ(admin("account add root@web01 --key " + keygen("acct")).code, 0);
    {
        // As the hook and the broker write it.
        Store store = Store::open_existing(dir_ + "/inst/tandem.db");
        SessionRecord rec;
        rec.uuid = "11111111-2222-4333-8444-555555555555";
        rec.user_id = store.find_user("alice")->id;
        rec.account_id = store.find_account("root", "web01")->id;
        rec.started_at = now_unix() - 65;
        rec.client = "ssh 127.0.0.1:50000";
        rec.via = "drop-in";
        const Id id = store.begin_session(rec);
        store.set_session_bytes(id, 42, 4096);
        store.set_session_sharing(rec.uuid, {true, "shr-1", "bob", {{"bob", "web", "127.0.0.9"}}});
        rec.uuid = "ended";
        store.end_session(store.begin_session(rec), 0, "exit");
    }
    Result r = admin("sessions --live");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(std::regex_search(
        r.out, std::regex("^SINCE +FOR +USER +ACCOUNT +VIA +SHARED +PARTICIPANTS +CONTROL +IN "
                          "+OUT +ID\n")))
        << r.out;
    EXPECT_TRUE(std::regex_search(
        r.out, std::regex(R"( 0:01:0[5-9] +alice +root@web01 +drop-in +yes +bob \(web\) +bob +42 )"
                          R"(+4096 +11111111-2222-4333-8444-555555555555\n)")))
        << r.out;
    EXPECT_EQ(r.out.find("ended"), std::string::npos);
    const auto j = nlohmann::json::parse(admin("sessions --live --json").out);
    ASSERT_EQ(j.size(), 1u);
    EXPECT_EQ(j[0]["id"], "11111111-2222-4333-8444-555555555555");
    EXPECT_EQ(j[0]["user"], "alice");
    EXPECT_EQ(j[0]["account"], "root@web01");
    EXPECT_EQ(j[0]["via"], "drop-in");
    EXPECT_EQ(j[0]["shared"], true);
    EXPECT_EQ(j[0]["controller"], "bob");
    EXPECT_EQ(j[0]["participants"][0]["user"], "bob");
    EXPECT_EQ(j[0]["participants"][0]["via"], "web");
    EXPECT_EQ(j[0]["bytes_in"], 42);
    EXPECT_EQ(j[0]["bytes_out"], 4096);
    EXPECT_TRUE(j[0].contains("started_at"));
    const auto all = nlohmann::json::parse(admin("sessions --json").out);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0]["status"], "exit (exit 0)");
    EXPECT_EQ(all[1]["ended_at"], nullptr);
}

TEST_F(AdminBinaryTest, EveryBinaryAnswersVersionAndHelp) {
    const fs::path bin = admin_.parent_path();
    const std::string commit(build_commit());  // this build's, as the binaries report it
    for (const char* program :
         {"tandem-admin", "tandem-sshd", "tandem-shell", "tandem-keys", "tandem-broker"}) {
        const std::string path = (bin / program).string();
        if (!fs::exists(path)) {
            ADD_FAILURE() << program << " is not built beside tandem-admin";
            continue;
        }
        const std::string out_file = dir_ + "/out";
        ASSERT_EQ(std::system((path + " --version >" + out_file + " 2>&1").c_str()), 0) << program;
        const std::string version = slurp(out_file);
        EXPECT_EQ(version.rfind(std::string(program) + " " + TANDEM_VERSION, 0), 0u) << version;
        if (!commit.empty()) {
            EXPECT_NE(version.find("(git " + commit + ")"), std::string::npos) << version;
        }
        EXPECT_EQ(std::count(version.begin(), version.end(), '\n'), 1) << version;
        ASSERT_EQ(std::system((path + " --help >" + out_file + " 2>&1").c_str()), 0) << program;
        const std::string help = slurp(out_file);
        for (const char* option : {"--config", "--version"})
            EXPECT_NE(help.find(option), std::string::npos) << program << " " << option;
        if (std::string(program) != "tandem-admin") {
            EXPECT_NE(help.find("--help"), std::string::npos) << program;
        }
    }
}

}  // namespace
}  // namespace tandem
