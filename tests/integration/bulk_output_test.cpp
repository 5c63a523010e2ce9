// 20 MB of random output through the bastion arrives byte-exact: the host checksums a file
// of random bytes and prints it as base64; the client decodes what it received and compares.
#include <openssl/evp.h>

#include <chrono>
#include <cstdio>

#include "harness/bastion_fixture.hpp"

namespace tandem::test {
namespace {

using BulkOutput = BastionTest;

std::string sha256_hex(const std::string& bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
    std::string hex;
    char buf[3];
    for (unsigned i = 0; i < length; ++i) {
        std::snprintf(buf, sizeof buf, "%02x", digest[i]);
        hex += buf;
    }
    return hex;
}

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
    std::string text;
    text.reserve(end - start);
    for (std::size_t i = start; i < end; ++i) {
        char c = ssh->transcript()[i];
        if (c != '\r' && c != '\n') text.push_back(c);
    }
    ASSERT_EQ(text.size() % 4, 0u) << "base64 text of " << text.size() << " characters";
    std::string decoded(text.size() / 4 * 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                            reinterpret_cast<const unsigned char*>(text.data()),
                            static_cast<int>(text.size()));
    ASSERT_GE(n, 0) << "the received text is not base64";
    decoded.resize(kRandomBytes);  // 15,000,000 is a multiple of 3: no padding to strip
    EXPECT_EQ(static_cast<std::size_t>(n), kRandomBytes);
    EXPECT_EQ(sha256_hex(decoded), host_sum);
    std::printf("[ measure  ] %zu bytes of terminal output in %.2f s (%.1f MB/s)\n", end - start,
                seconds, static_cast<double>(end - start) / seconds / 1e6);

    ssh->send_line("exit 0");
    EXPECT_EQ(ssh->read_all_until_exit(60s), 0);
}

}  // namespace
}  // namespace tandem::test
