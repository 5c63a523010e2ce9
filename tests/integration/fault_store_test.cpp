// A busy or broken store: another process holding the write lock for 10 s, a corrupt store
// file, a store file on a read-only mount. Every binary answers with T_102 (or, at login, refuses
// the key and logs why), none crashes, and work resumes as soon as the store does.
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <csignal>
#include <thread>

#include "harness/bastion_fixture.hpp"
#include "harness/paths.hpp"

namespace tandem::test {
namespace {

class FaultStore : public BastionTest {
  protected:
    void SetUp() override {
        BastionTest::SetUp();
        bastion->start_broker();
    }

    std::string store() const { return bastion->dir() + "/tandem.db"; }

    // Neither server died of it.
    void expect_servers_alive() {
        EXPECT_EQ(::kill(bastion->sshd_pid(), 0), 0) << "tandem-sshd died";
        EXPECT_EQ(::kill(bastion->broker_pid(), 0), 0) << "tandem-broker died";
    }

    // A session that reaches the host's shell and ends with the shell's status.
    void expect_working_session(const std::string& label) {
        auto ssh = alice(account);
        ASSERT_TRUE(await_host_shell(*ssh)) << label << ":\n" << ssh->tail();
        const auto mark = unique_marker(label);
        ssh->send_line(print_command(mark));
        EXPECT_TRUE(ssh->expect(mark + "\r\n", 20s));
        ssh->send_line("exit 3");
        EXPECT_EQ(ssh->read_all_until_exit(30s), 3) << ssh->tail();
    }
};

TEST_F(FaultStore, AWriteLockHeldTenSecondsGetsT102AndWorkResumesAfterIt) {
    // The sqlite3 shell takes the write lock and keeps it 10 s.
    const pid_t holder = spawn_with_output_files(
        {"/bin/sh", "-c",
         "(echo 'BEGIN IMMEDIATE;'; echo \"SELECT 'locked';\"; sleep 10; echo 'COMMIT;') | "
         "sqlite3 " +
             store()},
        tmp / "holder.out", tmp / "holder.err");
    ASSERT_FALSE(await_line_in_file(tmp / "holder.out", "locked", holder, 10s).empty())
        << read_file(tmp / "holder.err");
    const auto locked_at = Clock::now();

    // A new session needs to write its row: after the store's busy timeout it is refused.
    auto session = alice(account);
    auto add = bastion->admin({"user", "add", "dave"});
    EXPECT_EQ(add.exit_code, 1) << add.describe();
    EXPECT_NE(add.err.find("T_102"), std::string::npos) << add.describe();
    EXPECT_TRUE(session->expect(seen(ErrorCode::T_102_store_unavailable), 30s)) << session->tail();
    const auto status = session->read_all_until_exit(30s);
    EXPECT_TRUE(status && *status != 0) << session->tail();
    EXPECT_LT(Clock::now() - locked_at, 10s) << "the refusals came after the lock was gone";
    EXPECT_NE(read_file(bastion->log_path()).find("cannot record the session in the store"),
              std::string::npos);
    expect_servers_alive();

    int holder_status = 0;
    ASSERT_TRUE(wait_for_exit(holder, 20s, holder_status));
    // Released: the same actions work at once.
    bastion->admin_ok({"user", "add", "dave"});
    expect_working_session("after-the-lock");
    expect_servers_alive();
}

TEST_F(FaultStore, ACorruptStoreFileGetsT102EverywhereAndWorkResumesWhenRepaired) {
    // Overwrite the file's 100-byte header (as a bad disk or a stray write would) and keep it.
    const int fd = ::open(store().c_str(), O_RDWR);
    ASSERT_GE(fd, 0);
    char header[100];
    ASSERT_EQ(::pread(fd, header, sizeof header, 0), static_cast<ssize_t>(sizeof header));
    const std::string garbage(sizeof header, '\x5a');
    ASSERT_EQ(::pwrite(fd, garbage.data(), garbage.size(), 0),
              static_cast<ssize_t>(garbage.size()));

    auto listing = bastion->admin({"user", "list"});
    EXPECT_EQ(listing.exit_code, 1) << listing.describe();
    EXPECT_NE(listing.err.find("T_102"), std::string::npos) << listing.describe();
    // Login: the key cannot be checked, so it is refused (and the log says why).
    auto refused = alice(account);
    const auto refused_status = refused->read_all_until_exit(30s);
    EXPECT_TRUE(refused_status && *refused_status != 0) << refused->tail();
    EXPECT_EQ(refused->transcript().find("$ "), std::string::npos) << refused->tail();
    std::this_thread::sleep_for(2500ms);  // the broker's store pass runs every 2 s
    expect_servers_alive();

    ASSERT_EQ(::pwrite(fd, header, sizeof header, 0), static_cast<ssize_t>(sizeof header));
    ::close(fd);
    EXPECT_NE(bastion->admin_ok({"user", "list"}).out.find("alice"), std::string::npos);
    expect_working_session("after-the-repair");
    expect_servers_alive();
}

TEST_F(FaultStore, AReadOnlyStoreGetsT102ForEveryChangeAndWorkResumesWhenWritable) {
    // The store file alone, remounted read-only (a filesystem gone read-only after an error, or
    // a mistaken mount): processes that open it now can read it but not write it.
    const std::string file = store();
    if (::mount(file.c_str(), file.c_str(), nullptr, MS_BIND, nullptr) != 0)
        GTEST_SKIP() << "cannot bind-mount here (needs root)";
    struct Unmount {
        std::string path;
        ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
    } unmount{file};
    ASSERT_EQ(::mount(nullptr, file.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr),
              0);

    auto add = bastion->admin({"user", "add", "dave"});
    EXPECT_EQ(add.exit_code, 1) << add.describe();
    EXPECT_NE(add.err.find("T_102"), std::string::npos) << add.describe();
    // A new session must write its row: refused with the code, and the log says why.
    auto session = alice(account);
    EXPECT_TRUE(session->expect(seen(ErrorCode::T_102_store_unavailable), 30s)) << session->tail();
    const auto status = session->read_all_until_exit(30s);
    EXPECT_TRUE(status && *status != 0) << session->tail();
    EXPECT_EQ(session->transcript().find("$ "), std::string::npos) << session->tail();
    std::this_thread::sleep_for(2500ms);  // the broker's store pass runs every 2 s
    expect_servers_alive();

    // Writable again: the same actions work at once, and nothing written before was lost.
    ASSERT_EQ(::umount2(file.c_str(), 0), 0);
    unmount.path.clear();
    bastion->admin_ok({"user", "add", "dave"});
    EXPECT_NE(bastion->admin_ok({"user", "list"}).out.find("alice"), std::string::npos);
    expect_working_session("after-read-only");
    expect_servers_alive();
}

}  // namespace
}  // namespace tandem::test
