// tandem-keys (OpenSSH AuthorizedKeysCommand): what sshd reads on stdout for each offered key.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "authorized_keys_command.hpp"
#include "tandem/store.hpp"

namespace tandem {
namespace {

namespace fs = std::filesystem;

constexpr const char* kAliceBlob = "AAAAC3NzaC1lZDI1NTE5AAAAIAliceAliceAliceAliceAliceAliceAliceAl";
constexpr const char* kBobBlob = "AAAAC3NzaC1lZDI1NTE5AAAAIBobBobBobBobBobBobBobBobBobBobBobBobBo";
constexpr const char* kStrangerBlob = "AAAAC3NzaC1lZDI1NTE5AAAAIStrangerStrangerStrangerStrangerSt";

class KeysTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/tandem-keys-test-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        store_path_ = dir_ + "/tandem.db";
        config_path_ = dir_ + "/tandem.conf";
        log_path_ = dir_ + "/keys.log";
        std::ofstream(config_path_) << "[store]\npath = " << store_path_
                                    << "\n[openssh]\nshell = /opt/tandem/bin/tandem-shell\n"
                                    << "[log]\nfile = " << log_path_ << "\n";
        Store store = Store::open(store_path_);
        store.add_user_key(store.add_user("alice", false, ""), key(kAliceBlob));
        store.add_user_key(store.add_user("bob", false, ""), key(kBobBlob));
    }
    void TearDown() override { fs::remove_all(dir_); }

    static UserKey key(const std::string& blob) {
        UserKey k;
        k.type = "ssh-ed25519";
        k.blob_base64 = blob;
        k.fingerprint = "SHA256:" + blob;
        return k;
    }

    // Runs tandem-keys with `--config FILE ARGS...`; returns stdout, checks the exit status.
    std::string ask(const std::vector<std::string>& args) {
        std::vector<std::string> words{"tandem-keys", "--config", config_path_};
        words.insert(words.end(), args.begin(), args.end());
        std::vector<const char*> argv;
        for (const auto& w : words) argv.push_back(w.c_str());
        std::string out = "(unset)";
        EXPECT_EQ(run_keys(static_cast<int>(argv.size()), argv.data(), out), 0);
        return out;
    }
    std::string ask(const std::string& login, const std::string& blob) {
        return ask({login, "ssh-ed25519", blob});
    }
    std::string log_text() const {
        std::ifstream in(log_path_);
        return std::string((std::istreambuf_iterator<char>(in)), {});
    }
    std::string forced(const std::string& user, const std::string& blob, bool join) const {
        return "restrict,pty,command=\"/opt/tandem/bin/tandem-shell --config " + config_path_ +
               " --user " + user + " --via drop-in" + (join ? " --join" : "") + "\" ssh-ed25519 " +
               blob + "\n";
    }

    std::string dir_, store_path_, config_path_, log_path_;
};

TEST_F(KeysTest, ServiceLoginGetsTheKeyOwnersForcedCommand) {
    EXPECT_EQ(ask("tandem", kAliceBlob), forced("alice", kAliceBlob, false));
    // The key names the person, whoever the client claims to be: bob's key is bob.
    EXPECT_EQ(ask("tandem", kBobBlob), forced("bob", kBobBlob, false));
}

TEST_F(KeysTest, JoinLoginAddsJoin) {
    EXPECT_EQ(ask("join", kBobBlob), forced("bob", kBobBlob, true));
}

TEST_F(KeysTest, LoginNamesAreConfigurable) {
    std::ofstream(config_path_) << "[store]\npath = " << store_path_
                                << "\n[openssh]\nshell = /opt/tandem/bin/tandem-shell\n"
                                << "service_login = bastion\njoin_login = invitee\n";
    EXPECT_EQ(ask("bastion", kAliceBlob), forced("alice", kAliceBlob, false));
    EXPECT_EQ(ask("invitee", kAliceBlob), forced("alice", kAliceBlob, true));
    EXPECT_EQ(ask("tandem", kAliceBlob), "");
    EXPECT_EQ(ask("join", kAliceBlob), "");
}

TEST_F(KeysTest, UnknownKeyGetsNothing) {
    EXPECT_EQ(ask("tandem", kStrangerBlob), "");
    EXPECT_EQ(ask("join", kStrangerBlob), "");
    // Same blob under another type is another key.
    EXPECT_EQ(ask({"tandem", "ssh-rsa", kAliceBlob}), "");
    EXPECT_NE(log_text().find("unknown key"), std::string::npos) << log_text();
}

TEST_F(KeysTest, OtherUnixUserGetsNothing) {
    EXPECT_EQ(ask("root", kAliceBlob), "");
    EXPECT_EQ(ask("alice", kAliceBlob), "");
    EXPECT_EQ(ask("tandem2", kAliceBlob), "");
    EXPECT_NE(log_text().find("not a service login"), std::string::npos) << log_text();
}

TEST_F(KeysTest, MalformedArgumentsGetNothing) {
    EXPECT_EQ(ask({"tandem", "ssh-ed25519"}), "");
    EXPECT_EQ(ask({"tandem", "ssh-ed25519", kAliceBlob, "extra"}), "");
    EXPECT_EQ(ask({"tandem", "ssh-ed25519 x", kAliceBlob}), "");
    EXPECT_EQ(ask({"tandem", "ssh-ed25519", std::string(kAliceBlob) + "\"; id"}), "");
    EXPECT_EQ(ask({"tandem", "ssh-ed25519", std::string(20000, 'A')}), "");
    EXPECT_EQ(ask({"tandem", "", kAliceBlob}), "");
}

TEST_F(KeysTest, MissingStoreGetsNothing) {
    fs::remove(store_path_);
    EXPECT_EQ(ask("tandem", kAliceBlob), "");
    EXPECT_FALSE(fs::exists(store_path_)) << "tandem-keys must never create the store";
    EXPECT_NE(log_text().find("does not exist"), std::string::npos) << log_text();
}

TEST_F(KeysTest, CorruptStoreGetsNothing) {
    for (const auto& suffix : {"", "-wal", "-shm"}) fs::remove(store_path_ + suffix);
    std::ofstream(store_path_) << std::string(8192, 'x') << "not a database";
    EXPECT_EQ(ask("tandem", kAliceBlob), "");
    EXPECT_NE(log_text().find("store"), std::string::npos) << log_text();
}

TEST_F(KeysTest, ExclusivelyLockedStoreGetsNothing) {
    sqlite3* other = nullptr;
    ASSERT_EQ(sqlite3_open(store_path_.c_str(), &other), SQLITE_OK);
    // In WAL mode plain readers pass a writer; exclusive locking mode shuts everyone out.
    ASSERT_EQ(sqlite3_exec(other,
                           "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; "
                           "UPDATE users SET is_admin = is_admin;",
                           nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(other);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(ask("tandem", kAliceBlob), "");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
    sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(other);
    EXPECT_NE(log_text().find("store"), std::string::npos) << log_text();
    // Once the lock is gone the same key works again.
    EXPECT_EQ(ask("tandem", kAliceBlob), forced("alice", kAliceBlob, false));
}

TEST_F(KeysTest, BadConfigGetsNothing) {
    std::ofstream(config_path_) << "[openssh]\nshell = relative/tandem-shell\n";
    EXPECT_EQ(ask("tandem", kAliceBlob), "");
    std::ofstream(config_path_) << "[nosuch]\nkey = 1\n";
    EXPECT_EQ(ask("tandem", kAliceBlob), "");
    fs::remove(config_path_);
    EXPECT_EQ(ask("tandem", kAliceBlob), "");
}

TEST_F(KeysTest, NameWithShellMetacharactersNeverReachesTheCommandLine) {
    Store store = Store::open_existing(store_path_);
    const char* names[] = {
        "eve; touch /tmp/pwned", "eve\" --user alice", "Eve", "eve$(id)", "-eve", "eve\nx"};
    int n = 0;
    for (const char* name : names) {
        // Inserted behind tandem-admin's back, as a tampered or old store might hold it.
        sqlite3_stmt* st = nullptr;
        ASSERT_EQ(sqlite3_prepare_v2(store.handle(),
                                     "INSERT INTO users (name, is_admin, password_hash, "
                                     "created_at) VALUES (?, 0, '', 0)",
                                     -1, &st, nullptr),
                  SQLITE_OK);
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        ASSERT_EQ(sqlite3_step(st), SQLITE_DONE) << sqlite3_errmsg(store.handle());
        sqlite3_finalize(st);
        const std::string blob = "AAAAC3NzaC1lZDI1NTE5AAAAIEve" + std::to_string(n++) + "AAAA";
        store.add_user_key(sqlite3_last_insert_rowid(store.handle()), key(blob));
        EXPECT_EQ(ask("tandem", blob), "") << name;
        EXPECT_EQ(ask("join", blob), "") << name;
    }
    EXPECT_NE(log_text().find("name unfit"), std::string::npos) << log_text();
}

TEST_F(KeysTest, ConfigPathUnfitForACommandLineGetsNothing) {
    const std::string odd = dir_ + "/odd \"dir";
    fs::create_directory(odd);
    fs::copy_file(config_path_, odd + "/tandem.conf");
    std::vector<std::string> words{"tandem-keys", "--config",    odd + "/tandem.conf",
                                   "tandem",      "ssh-ed25519", kAliceBlob};
    std::vector<const char*> argv;
    for (const auto& w : words) argv.push_back(w.c_str());
    std::string out;
    EXPECT_EQ(run_keys(static_cast<int>(argv.size()), argv.data(), out), 0);
    EXPECT_EQ(out, "");
}

TEST_F(KeysTest, RelativeConfigPathIsWrittenInFull) {
    // The forced command runs in the login's home directory, not where tandem-keys ran.
    const auto previous = fs::current_path();
    fs::current_path(dir_);
    const char* argv[] = {"tandem-keys", "--config",    "./tandem.conf",
                          "tandem",      "ssh-ed25519", kAliceBlob};
    std::string out;
    EXPECT_EQ(run_keys(6, argv, out), 0);
    fs::current_path(previous);
    EXPECT_EQ(out, forced("alice", kAliceBlob, false));
}

TEST(KeysNames, PersonNamesFollowTheUnixPattern) {
    EXPECT_TRUE(is_safe_person_name("alice"));
    EXPECT_TRUE(is_safe_person_name("_svc.ops-1"));
    EXPECT_TRUE(is_safe_person_name(std::string(32, 'a')));
    EXPECT_FALSE(is_safe_person_name(std::string(33, 'a')));
    EXPECT_FALSE(is_safe_person_name(""));
    EXPECT_FALSE(is_safe_person_name("1alice"));
    EXPECT_FALSE(is_safe_person_name("-alice"));
    EXPECT_FALSE(is_safe_person_name("Alice"));
    EXPECT_FALSE(is_safe_person_name("a b"));
    EXPECT_FALSE(is_safe_person_name("a'b"));
}

}  // namespace
}  // namespace tandem
