// The access checks of run_host_session against a real store: what each refused user sees on
// stderr, and that nothing is connected, recorded or logged as a session when refused.
#include "host_session.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tandem/errors.hpp"

namespace tandem {
namespace {

namespace fs = std::filesystem;

class ShellHostSession : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("tandem-shell-test-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_ / "recordings");
        config_.store_path = (dir_ / "tandem.db").string();
        config_.session_recordings_dir = (dir_ / "recordings").string();
        config_.target_connect_timeout = Seconds(3);
        store_ = std::make_unique<Store>(Store::open(config_.store_path));
        alice_ = store_->add_user("alice", false, "");
        bob_ = store_->add_user("bob", false, "");

        Host pinned;
        pinned.name = "web01";
        pinned.address = "127.0.0.1";
        pinned.port = 1;  // nothing listens: a connection attempt would be refused
        pinned.host_key_type = "ssh-ed25519";
        pinned.host_key_base64 =
            "AAAAC3NzaC1lZDI1NTE5AAAAIE0jT2n9p6oV8kq0Lr2Zq1nJ7s3m5m1kq9Zr0xw7Q2lB";
        const Id web01 = store_->add_host(pinned);
        Host unpinned = pinned;
        unpinned.name = "web02";
        unpinned.host_key_type.clear();
        unpinned.host_key_base64.clear();
        const Id web02 = store_->add_host(unpinned);
        const Id root01 = store_->put_account(web01, "root", CredentialKind::password, "pw");
        const Id root02 = store_->put_account(web02, "root", CredentialKind::password, "pw");
        store_->grant(alice_, root01);
        store_->grant(alice_, root02);
    }
    void TearDown() override {
        store_.reset();
        fs::remove_all(dir_);
    }

    // Runs the session as `user` with stderr captured; returns (status, the last line the user
    // saw on stderr; log lines may precede it when the test binary logs to stderr).
    std::pair<int, std::string> run_as(const std::string& user, std::string_view account) {
        const auto found = store_->find_user(user);
        EXPECT_TRUE(found);
        SignalPipe signals;
        ShellContext context{config_, *store_, *found, signals, false, "xterm", "local", {}, false};
        const auto captured = dir_ / "stderr.txt";
        const int saved = ::dup(STDERR_FILENO);
        const int file = ::open(captured.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(file, STDERR_FILENO);
        ::close(file);
        const int status = run_host_session(context, account);
        ::dup2(saved, STDERR_FILENO);
        ::close(saved);
        std::ifstream in(captured);
        std::string line, last;
        while (std::getline(in, line)) last = line + "\n";
        return {status, last};
    }

    std::size_t recordings() const {
        return static_cast<std::size_t>(
            std::distance(fs::directory_iterator(dir_ / "recordings"), fs::directory_iterator{}));
    }

    fs::path dir_;
    Config config_;
    std::unique_ptr<Store> store_;
    Id alice_ = 0;
    Id bob_ = 0;
};

TEST_F(ShellHostSession, MalformedAccountIsT303) {
    const auto [status, err] = run_as("alice", "web01");
    EXPECT_EQ(status, 1);
    EXPECT_EQ(err, user_message(ErrorCode::T_303_malformed_account) + "\n");
}

TEST_F(ShellHostSession, UnknownAccountIsT301) {
    const auto [status, err] = run_as("alice", "admin@web01");
    EXPECT_EQ(status, 1);
    EXPECT_EQ(err, user_message(ErrorCode::T_301_unknown_account) + "\n");
}

TEST_F(ShellHostSession, NoGrantIsT302AndNothingIsRecorded) {
    const auto [status, err] = run_as("bob", "root@web01");
    EXPECT_EQ(status, 1);
    EXPECT_EQ(err, user_message(ErrorCode::T_302_no_grant) + "\n");
    EXPECT_EQ(recordings(), 0u);
    EXPECT_TRUE(store_->list_sessions(10).empty());
}

TEST_F(ShellHostSession, RevokedGrantIsRefusedNextTime) {
    const auto account = store_->find_account("root", "web01");
    ASSERT_TRUE(account);
    store_->revoke(alice_, account->id);
    EXPECT_EQ(run_as("alice", "root@web01").second, user_message(ErrorCode::T_302_no_grant) + "\n");
}

TEST_F(ShellHostSession, UnpinnedHostIsT503) {
    const auto [status, err] = run_as("alice", "root@web02");
    EXPECT_EQ(err, user_message(ErrorCode::T_503_host_key_unpinned) + "\n");
    EXPECT_NE(status, 0);
}

TEST_F(ShellHostSession, UnreachableHostIsT501AndLeavesNoRecording) {
    const auto [status, err] = run_as("alice", "root@web01");
    EXPECT_EQ(status, 255);
    EXPECT_EQ(err, user_message(ErrorCode::T_501_host_unreachable) + "\n");
    EXPECT_EQ(recordings(), 0u);
    EXPECT_TRUE(store_->list_sessions(10).empty());
}

TEST_F(ShellHostSession, NoRecordingMeansNoSessionT601) {
    config_.session_recordings_dir = (dir_ / "missing").string();
    const auto [status, err] = run_as("alice", "root@web01");
    EXPECT_NE(status, 0);
    EXPECT_EQ(err, user_message(ErrorCode::T_601_recording_failed) + "\n");
}

}  // namespace
}  // namespace tandem
