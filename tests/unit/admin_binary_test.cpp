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

#include "tandem/files.hpp"
#include "tandem/store.hpp"

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
    EXPECT_EQ(r.out, "STARTED  DURATION  USER  ACCOUNT  STATUS  CLIENT  ID  RECORDING\n");
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
        std::regex(R"(  0:01:4[01] +alice +root@web01 +T_514 +ssh 127\.0\.0\.1:50000 )")))
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

}  // namespace
}  // namespace tandem
