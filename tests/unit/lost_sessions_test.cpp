// A session hook killed before it could end its session: the store keeps its pid, and the
// reconciliation ends the row only when that process no longer runs tandem-shell.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tandem/process_liveness.hpp"
#include "tandem/store.hpp"

namespace tandem {
namespace {

std::string own_program_name() {
    std::string comm;
    std::getline(std::ifstream("/proc/self/comm"), comm);
    return comm;
}

TEST(ProcessLiveness, ARunningProcessOfThatNameRunsAndAnyOtherNameOrPidDoesNot) {
    EXPECT_TRUE(process_runs(::getpid(), own_program_name()));
    EXPECT_FALSE(process_runs(::getpid(), "tandem-shell"));  // a reused pid
    EXPECT_FALSE(process_runs(0, own_program_name()));
    EXPECT_FALSE(process_runs(-1, own_program_name()));
}

TEST(ProcessLiveness, AZombieAndAReapedProcessDoNotRun) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) ::_exit(0);
    // Until it is reaped the child is a zombie under the same name.
    for (int i = 0; i < 200 && process_runs(child, own_program_name()); ++i) ::usleep(10000);
    EXPECT_FALSE(process_runs(child, own_program_name())) << "a zombie counts as running";
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_FALSE(process_runs(child, own_program_name()));
}

class LostSessionStore : public ::testing::Test {
  protected:
    void SetUp() override {
        path_ = std::filesystem::temp_directory_path() /
                ("tandem-lost-" + std::to_string(::getpid()) + ".db");
        store_.emplace(Store::open(path_));
        const Id alice = store_->add_user("alice", false, "");
        Host host;
        host.name = "web01";
        host.address = "127.0.0.1";
        const Id account =
            store_->put_account(store_->add_host(host), "root", CredentialKind::password, "x");
        SessionRecord s;
        s.user_id = alice;
        s.account_id = account;
        s.uuid = "with-pid";
        s.hook_pid = 4242;
        store_->begin_session(s);
        s.uuid = "before-migration-4";
        s.hook_pid = 0;
        store_->begin_session(s);
        s.uuid = "ended";
        s.hook_pid = 4343;
        store_->end_session(store_->begin_session(s), 0, "exit");
    }
    void TearDown() override {
        store_.reset();
        for (const char* suffix : {"", "-wal", "-shm"})
            std::filesystem::remove(path_.string() + suffix);
    }

    std::filesystem::path path_;
    std::optional<Store> store_;
};

TEST_F(LostSessionStore, LiveRowsCarryTheirHookPidAndALostOneEndsOnceWithAnAuditEvent) {
    const auto hooks = store_->live_session_hooks("");
    ASSERT_EQ(hooks.size(), 2u);
    EXPECT_EQ(hooks[0].uuid, "with-pid");
    EXPECT_EQ(hooks[0].hook_pid, 4242);
    EXPECT_EQ(hooks[0].user_name, "alice");
    EXPECT_EQ(hooks[0].account_name, "root@web01");
    EXPECT_EQ(hooks[1].hook_pid, 0);

    EXPECT_TRUE(store_->end_lost_session(hooks[0], "hook lost"));
    EXPECT_FALSE(store_->end_lost_session(hooks[0], "hook lost")) << "ended twice";
    const auto row = store_->find_session("with-pid");
    ASSERT_TRUE(row);
    EXPECT_TRUE(row->ended_at);
    EXPECT_EQ(row->end_reason, "hook lost");
    // The already ended row kept its own end.
    EXPECT_EQ(store_->find_session("ended")->end_reason, "exit");
    ASSERT_EQ(store_->live_session_hooks("").size(), 1u);

    int lost_events = 0;
    for (const auto& e : store_->list_audit(10))
        if (e.action == "session.lost") {
            ++lost_events;
            EXPECT_NE(e.detail.find("uuid=with-pid"), std::string::npos) << e.detail;
            EXPECT_NE(e.detail.find("hook_pid=4242"), std::string::npos) << e.detail;
        }
    EXPECT_EQ(lost_events, 1);
}

}  // namespace
}  // namespace tandem
