// Twenty people at once: every session connects, each sees only its own output, and when
// all have left tandem-sshd has no process left behind (no leaks, no zombies).
#include <thread>

#include "harness/bastion_fixture.hpp"

namespace tandem::test {
namespace {

class ConcurrentSessions : public BastionTest {
  protected:
    // Twenty handshakes at the same instant from one address are past the pre-auth defaults
    // (ssh.per_source_max_startups 10, early drop from 10): this test is about load, so it
    // raises them; preauth_limits_test.cpp is about the limits.
    std::vector<std::string> sshd_overrides() const override {
        return {"--ssh.max_startups=32", "--ssh.per_source_max_startups=32"};
    }
};

TEST_F(ConcurrentSessions, TwentySessionsAllConnectAndEachSeesItsOwnOutput) {
    constexpr int kSessions = 20;
    std::vector<std::unique_ptr<PtySession>> sessions;
    std::vector<std::string> markers;
    // Half through the prompt, half direct: both paths under load at once.
    for (int i = 0; i < kSessions; ++i) {
        sessions.push_back(alice(i % 2 ? account : std::string{}));
        markers.push_back(unique_marker("s" + std::to_string(i)));
    }
    for (int i = 0; i < kSessions; ++i) {
        if (i % 2) {
            ASSERT_TRUE(await_host_shell(*sessions[i])) << "session " << i;
        } else {
            ASSERT_TRUE(connect_from_prompt(*sessions[i], account)) << "session " << i;
        }
    }
    for (int i = 0; i < kSessions; ++i) sessions[i]->send_line(print_command(markers[i]));
    for (int i = 0; i < kSessions; ++i) {
        ASSERT_TRUE(sessions[i]->expect(markers[i] + "\r\n", 60s)) << "session " << i;
        for (int j = 0; j < kSessions; ++j) {
            if (j == i) continue;
            EXPECT_EQ(sessions[i]->transcript().find(markers[j]), std::string::npos)
                << "session " << i << " saw session " << j << "'s output";
        }
    }
    for (int i = 0; i < kSessions; ++i) sessions[i]->send_line("exit " + std::to_string(i % 5));
    for (int i = 0; i < kSessions; ++i) {
        if (i % 2) {
            EXPECT_EQ(sessions[i]->read_all_until_exit(60s), i % 5) << "session " << i;
        } else {
            ASSERT_TRUE(sessions[i]->expect(kPrompt, 60s)) << "session " << i;
            sessions[i]->send_line("exit");
            EXPECT_EQ(sessions[i]->read_all_until_exit(60s), 0) << "session " << i;
        }
    }

    // Every per-connection process has exited and been reaped by now, or very soon.
    std::vector<pid_t> left;
    for (auto deadline = Clock::now() + 15s; Clock::now() < deadline;) {
        left = bastion->sshd_descendants();
        if (left.empty()) break;
        std::this_thread::sleep_for(100ms);  // polling for the processes to go
    }
    std::string pids;
    for (pid_t p : left) pids += std::to_string(p) + " ";
    EXPECT_TRUE(left.empty()) << "tandem-sshd still has descendants (leaked or zombie): " << pids;
}

}  // namespace
}  // namespace tandem::test
