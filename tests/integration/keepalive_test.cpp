// T_514: a managed host that stops answering is detected by keepalives and the session is
// closed with the seed's message; a host that is merely silent stays connected.
#include <cstdio>

#include "harness/bastion_fixture.hpp"

namespace tandem::test {
namespace {

constexpr int kIntervalSeconds = 1;
constexpr int kCount = 3;

class Keepalive : public BastionTest {
  protected:
    std::vector<std::string> sshd_overrides() const override {
        return {"--target.keepalive_interval=" + std::to_string(kIntervalSeconds) + "s",
                "--target.keepalive_count=" + std::to_string(kCount)};
    }
};

TEST_F(Keepalive, FrozenHostIsDisconnectedWithT514WithinTheKeepaliveWindow) {
    auto ssh = alice();
    ASSERT_TRUE(connect_from_prompt(*ssh, account));
    auto marker = unique_marker();
    ssh->send_line(print_command(marker));
    ASSERT_TRUE(ssh->expect(marker + "\r\n"));

    host->freeze();
    auto frozen_at = Clock::now();
    ASSERT_TRUE(ssh->expect("connection error (code: T_514)", 60s));
    double elapsed = std::chrono::duration<double>(Clock::now() - frozen_at).count();
    std::printf("[ measure  ] T_514 shown %.2f s after the host froze (window %d s x %d)\n",
                elapsed, kIntervalSeconds, kCount);
    EXPECT_NE(ssh->transcript().find(seen(ErrorCode::T_514_host_unresponsive)), std::string::npos)
        << "the sentence must follow the code exactly:\n"
        << ssh->tail();
    // The contract is interval x count + 1 s = 4 s. The bound asserted here adds 5 s of slack:
    // CI runs this suite in parallel on 2 cores, where scheduling alone can delay the
    // detection and the bytes reaching the client by seconds; a hung detection takes forever.
    EXPECT_LE(elapsed, kIntervalSeconds * kCount + 1 + 5);

    // Back at the bastion, and the store records why the session ended.
    ASSERT_TRUE(ssh->expect(kPrompt, 30s));
    host->thaw();
    auto sessions = bastion->admin_ok({"sessions"});
    EXPECT_NE(sessions.out.find("T_514"), std::string::npos) << sessions.out;
}

TEST_F(Keepalive, DirectSessionToAFrozenHostEndsWithT514) {
    auto ssh = alice(account);
    ASSERT_TRUE(await_host_shell(*ssh));
    host->freeze();
    auto frozen_at = Clock::now();
    ASSERT_TRUE(ssh->expect(seen(ErrorCode::T_514_host_unresponsive), 60s));
    double elapsed = std::chrono::duration<double>(Clock::now() - frozen_at).count();
    std::printf("[ measure  ] T_514 shown %.2f s after the host froze (direct)\n", elapsed);
    EXPECT_LE(elapsed, kIntervalSeconds * kCount + 1 + 5);  // slack: see the test above
    auto status = ssh->read_all_until_exit(30s);
    EXPECT_TRUE(status && *status != 0) << "exit status " << status.value_or(-1);
}

TEST_F(Keepalive, SilentButLiveHostStaysConnectedPastTheWindow) {
    auto ssh = alice();
    ASSERT_TRUE(connect_from_prompt(*ssh, account));
    // Six seconds without a byte from the host: twice the 3 s keepalive window.
    ssh->send_line("sleep 6; echo SLEPT-$((3+3))");
    ASSERT_TRUE(ssh->expect("SLEPT-6\r\n", 60s));
    EXPECT_EQ(ssh->transcript().find("T_514"), std::string::npos) << ssh->tail();
    auto marker = unique_marker();
    ssh->send_line(print_command(marker));
    ASSERT_TRUE(ssh->expect(marker + "\r\n"));
}

}  // namespace
}  // namespace tandem::test
