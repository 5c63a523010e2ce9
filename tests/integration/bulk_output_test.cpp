// 20 MB of random output through the bastion arrives byte-exact: the host checksums a file
// of random bytes and prints it as base64; the client decodes what it received and compares.
#include <chrono>
#include <cstdio>

#include "harness/bastion_fixture.hpp"
#include "harness/sharing_steps.hpp"

namespace tandem::test {
namespace {

using BulkOutput = BastionTest;

TEST_F(BulkOutput, TwentyMegabytesOfRandomOutputArriveByteExact) {
    constexpr std::size_t kRandomBytes = 15'000'000;  // base64: 20 MB on the terminal
    auto ssh = alice(account);
    ASSERT_TRUE(await_host_shell(*ssh));

    // $((1+1)) and $((2+2)) keep the markers out of the echoed command line.
    std::string f = "/tmp/tandem-bulk-$$";
    ssh->send_line("head -c " + std::to_string(kRandomBytes) + " /dev/urandom > " + f +
                   "; sha256sum " + f + " | sed 's/ .*/ SUM/'; echo BEGIN-$((1+1)); base64 -w 76 " +
                   f + "; echo END-$((2+2)); rm -f " + f);
    ASSERT_TRUE(ssh->expect(" SUM\r\n", 60s));
    const std::size_t sum_end = ssh->cursor() - 6;
    ASSERT_GE(sum_end, 64u);
    const std::string host_sum = ssh->transcript().substr(sum_end - 64, 64);
    ASSERT_EQ(host_sum.find_first_not_of("0123456789abcdef"), std::string::npos) << host_sum;
    ASSERT_TRUE(ssh->expect("BEGIN-2\r\n"));
    std::size_t start = ssh->cursor();
    auto t0 = Clock::now();
    ASSERT_TRUE(ssh->expect("\r\nEND-4\r\n", 180s));
    double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    std::size_t end = ssh->cursor() - 9;  // before "\r\nEND-4\r\n"

    // The host's PTY turns each \n into \r\n; nothing else may differ.
    const auto decoded = decode_base64_lines(ssh->transcript(), start, end);
    ASSERT_TRUE(decoded) << "the received text is not base64";
    EXPECT_EQ(decoded->size(), kRandomBytes);
    EXPECT_EQ(sha256_hex(*decoded), host_sum);
    std::printf("[ measure  ] %zu bytes of terminal output in %.2f s (%.1f MB/s)\n", end - start,
                seconds, static_cast<double>(end - start) / seconds / 1e6);

    ssh->send_line("exit 0");
    EXPECT_EQ(ssh->read_all_until_exit(60s), 0);
}

}  // namespace
}  // namespace tandem::test
