// The recordings filesystem fills up (a small tmpfs, mounted where the machine allows it, as
// root here): with session.recording_required (the default) a live session ends with T_602 and
// a `session.recording_failed` audit event, a new one is refused with T_601, and sessions work
// again once there is room. With the policy off, the session goes on unrecorded.
#include <sys/mount.h>
#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include "harness/bastion_fixture.hpp"
#include "harness/paths.hpp"

namespace tandem::test {
namespace {

class FaultRecordingDiskFull : public BastionTest {
  protected:
    std::vector<std::string> sshd_overrides() const override {
        return {"--session.recordings_dir=" + recordings,
                "--session.recording_required=" + std::string(required ? "true" : "false")};
    }

    void SetUp() override {
        ::mkdir(recordings.c_str(), 0700);
        if (::mount("tandem-test", recordings.c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
                    "size=192k,mode=0700") != 0)
            GTEST_SKIP() << "cannot mount a small tmpfs here (needs root): " << recordings;
        mounted = true;
        BastionTest::SetUp();
    }

    ~FaultRecordingDiskFull() override {
        if (mounted) ::umount2(recordings.c_str(), MNT_DETACH);  // processes may still hold it
    }

    // alice's direct session to the host at its shell prompt.
    std::unique_ptr<PtySession> session() {
        auto ssh = alice(account);
        EXPECT_TRUE(await_host_shell(*ssh)) << ssh->tail();
        return ssh;
    }

    // ~600 KiB of output: more than the filesystem holds.
    static std::string flood() {
        return "head -c 450000 /dev/urandom | base64 -w 100; echo flooded";
    }

    std::string recordings = tmp / "recfs";
    bool required = true;
    bool mounted = false;
};

TEST_F(FaultRecordingDiskFull, ALiveSessionEndsWithT602AndNewOnesAreRefusedUntilThereIsRoom) {
    auto alice_session = session();
    const auto before = unique_marker("recorded-before-full");
    alice_session->send_line(print_command(before));
    ASSERT_TRUE(alice_session->expect(before + "\r\n", 20s));

    alice_session->send_line(flood());
    EXPECT_TRUE(alice_session->expect(seen(ErrorCode::T_602_recording_lost), 60s))
        << "the session was not ended when its recording failed:\n"
        << alice_session->tail();
    const auto status = alice_session->read_all_until_exit(30s);
    EXPECT_TRUE(status && *status != 0) << alice_session->tail();

    const auto sessions = bastion->admin_ok({"sessions"}).out;
    EXPECT_NE(sessions.find("T_602"), std::string::npos) << sessions;
    const auto audit = bastion->admin_ok({"audit"}).out;
    EXPECT_NE(audit.find("session.recording_failed"), std::string::npos) << audit;
    EXPECT_NE(read_file(bastion->log_path()).find("can no longer be written"), std::string::npos);

    // Full: a new session is refused and says why.
    auto refused = alice(account);
    EXPECT_TRUE(refused->expect(seen(ErrorCode::T_601_recording_failed), 30s)) << refused->tail();
    EXPECT_TRUE(refused->read_all_until_exit(30s)) << refused->tail();

    // An administrator moves the recordings away: sessions work at once.
    for (const auto& entry : std::filesystem::directory_iterator(recordings)) {
        std::filesystem::copy_file(entry.path(), tmp / entry.path().filename().string());
        std::filesystem::remove(entry.path());  // another filesystem: no rename
    }
    auto again = session();
    const auto after = unique_marker("recorded-after-room");
    again->send_line(print_command(after));
    EXPECT_TRUE(again->expect(after + "\r\n", 20s));
    again->send_line("exit 6");
    EXPECT_EQ(again->read_all_until_exit(30s), 6) << again->tail();
}

class FaultRecordingDiskFullNotRequired : public FaultRecordingDiskFull {
  protected:
    void SetUp() override {
        required = false;
        FaultRecordingDiskFull::SetUp();
    }
};

TEST_F(FaultRecordingDiskFullNotRequired, TheSessionGoesOnUnrecordedAndTheFailureIsAudited) {
    auto alice_session = session();
    alice_session->send_line(flood());
    ASSERT_TRUE(alice_session->expect("flooded\r\n", 60s)) << alice_session->tail();
    std::this_thread::sleep_for(2s);  // past the recording's next flush
    const auto still = unique_marker("still-working");
    alice_session->send_line(print_command(still));
    EXPECT_TRUE(alice_session->expect(still + "\r\n", 20s)) << alice_session->tail();
    const auto audit = bastion->admin_ok({"audit"}).out;
    EXPECT_NE(audit.find("session.recording_failed"), std::string::npos) << audit;
    alice_session->send_line("exit 7");
    EXPECT_EQ(alice_session->read_all_until_exit(30s), 7) << alice_session->tail();
}

}  // namespace
}  // namespace tandem::test
