// The harness against the managed host alone (no tandem involved): proves that the PTY
// driver, resize, exit status and screen capture observe what they claim, so a failing
// tandem test points at tandem and not at the harness.
#include <gtest/gtest.h>

#include "harness/managed_host.hpp"
#include "harness/markers.hpp"
#include "harness/pty_session.hpp"
#include "harness/temp_dir.hpp"
#include "harness/tmux_client.hpp"

namespace tandem::test {
namespace {

SshTarget direct_to(const ManagedHost& host, const std::string& command = {}) {
    SshTarget t;
    t.port = host.port();
    t.user = host.login();
    t.key = host.account_key();
    t.command = command;
    return t;
}

TEST(HarnessSelfTest, PtySessionSeesOutputSizeResizeAndExitStatusOfPlainSsh) {
    TempDir tmp("harness");
    ManagedHost host(tmp.subdir("host"));
    PtySession ssh(direct_to(host), 100, 30);

    auto marker = unique_marker();
    ssh.send_line(print_command(marker));
    ASSERT_TRUE(ssh.expect(marker + "\r\n"));

    ssh.send_line("stty size");
    ASSERT_TRUE(ssh.expect("30 100\r\n"));

    ssh.resize(132, 43);
    ssh.send_line("stty size");
    ASSERT_TRUE(ssh.expect("43 132\r\n"));

    ssh.send_line("exit 7");
    EXPECT_EQ(ssh.read_all_until_exit(30s), 7);
}

TEST(HarnessSelfTest, ExpectFailsWhenTheTextNeverComes) {
    TempDir tmp("harness");
    ManagedHost host(tmp.subdir("host"));
    PtySession ssh(direct_to(host));
    ssh.send_line(print_command("present-1"));
    ASSERT_TRUE(ssh.expect("present-1\r\n"));
    EXPECT_FALSE(ssh.wait_for("absent-2", 1s));
}

TEST(HarnessSelfTest, FrozenHostStopsAnsweringAndThawedHostResumes) {
    TempDir tmp("harness");
    ManagedHost host(tmp.subdir("host"));
    PtySession ssh(direct_to(host));
    ssh.send_line(print_command("before-1"));
    ASSERT_TRUE(ssh.expect("before-1\r\n"));
    host.freeze();
    ssh.send_line(print_command("during-2"));
    EXPECT_FALSE(ssh.wait_for("during-2\r\n", 2s));
    host.thaw();
    EXPECT_TRUE(ssh.expect("during-2\r\n"));
}

TEST(HarnessSelfTest, TmuxClientShowsViFullScreenAndTheShellAfterQuit) {
    TempDir tmp("harness");
    ManagedHost host(tmp.subdir("host"));
    TmuxClient screen(direct_to(host), 80, 24);
    screen.send_text(print_command("ready-3"));
    screen.send_key("Enter");
    ASSERT_TRUE(screen.expect_on_screen("\nready-3"));
    screen.send_text("vi -u NONE -i NONE " + tmp / "new-file.txt");
    screen.send_key("Enter");
    ASSERT_TRUE(screen.expect_on_screen("~\n~\n~"));
    auto rows = screen.screen();
    ASSERT_EQ(rows.size(), 24u);
    EXPECT_EQ(rows[0], "");
    for (int r = 1; r < 23; ++r) EXPECT_EQ(rows[r], "~") << "row " << r;
    EXPECT_NE(rows[23].find("new-file.txt"), std::string::npos) << rows[23];
    screen.send_text(":q");
    screen.send_key("Enter");
    ASSERT_TRUE(screen.wait_until_absent("~\n~\n~"));
    screen.send_text("exit 3");
    screen.send_key("Enter");
}

}  // namespace
}  // namespace tandem::test
