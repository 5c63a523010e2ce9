// The bastion path, once for each front end (tandem-sshd, OpenSSH): log in to the prompt, list
// hosts, connect, relay bytes both ways, resize, the exit status of a direct command, and the
// refusal of an account one holds no grant on. Under OpenSSH everyone logs in as `tandem`, so
// every scenario here also shows that the offered key, not the login, names the person.
#include <cstdio>

#include "harness/front_end_fixture.hpp"
#include "harness/paths.hpp"

namespace tandem::test {
namespace {

using BastionScenario = FrontEndTest;

TEST_P(BastionScenario, LoginShowsThePromptAndHostsListsOnlyGrantedAccounts) {
    auto ssh = alice();
    ASSERT_TRUE(ssh->expect(kPrompt));
    ssh->send_line("hosts");
    ASSERT_TRUE(ssh->expect("hosts\r\n"));  // the echo of what was typed
    ASSERT_TRUE(ssh->expect(account));
    ASSERT_TRUE(ssh->expect(kPrompt));
    EXPECT_EQ(ssh->transcript().find(ungranted_account), std::string::npos) << ssh->tail();
    ssh->send_line("exit");
    EXPECT_EQ(ssh->read_all_until_exit(30s), 0) << ssh->tail();
}

TEST_P(BastionScenario, ConnectFromThePromptRunsOnTheHostAndLeavingReturnsToThePrompt) {
    auto ssh = alice();
    ASSERT_TRUE(connect_from_prompt(*ssh, account));
    const auto marker = unique_marker();
    ssh->send_line(print_command(marker));
    ASSERT_TRUE(ssh->expect(marker + "\r\n"));
    // The shell is the managed host's: its sshd reports our connection to its own port.
    ssh->send_line("echo \"via:${SSH_CONNECTION##* }:\"");
    ASSERT_TRUE(ssh->expect("via:" + std::to_string(host->port()) + ":"));

    ssh->send_line("exit");
    ASSERT_TRUE(ssh->expect(kPrompt));
    ssh->send_line("exit");
    EXPECT_EQ(ssh->read_all_until_exit(30s), 0) << ssh->tail();
}

// Typed input reaches the host byte for byte (every printable ASCII character and UTF-8, in
// lines up to the terminal's limit), and 20 MB of random output comes back byte-exact.
TEST_P(BastionScenario, RelayCarriesBytesBothWaysByteExact) {
    auto ssh = alice(account);
    ASSERT_TRUE(await_host_shell(*ssh));

    std::string printable_ascii;
    for (char c = ' '; c <= '~'; ++c) printable_ascii += c;
    std::string typed;  // what the host's file must hold
    const std::string typed_file = path("typed");
    // Typing only once cat runs: bytes that came while bash's readline held the terminal (raw,
    // no CR-to-LF) would reach cat unconverted. bash gives the terminal back before `echo`.
    const auto ready = unique_marker("cat-ready");
    ssh->send_line(print_command(ready) + "; cat > " + typed_file);
    ASSERT_TRUE(ssh->expect(ready + "\r\n"));
    for (int i = 0; i < 300; ++i) {
        std::string line = std::to_string(i) + " " + printable_ascii.substr(i % 95) +
                           printable_ascii.substr(0, i % 95) + " \xc3\xa9\xe2\x86\x92\xe2\x9c\x93";
        typed += line + "\n";
        ssh->send(line + "\r");  // Enter; the host's terminal turns it into \n
    }
    ssh->send("\x04");  // end of input for cat
    const auto done = unique_marker("typed");
    ssh->send_line(print_command(done));
    ASSERT_TRUE(ssh->expect(done + "\r\n", 60s));
    EXPECT_EQ(read_file(typed_file), typed) << "typed input did not reach the host unchanged";

    constexpr std::size_t kRandomBytes = 15'000'000;  // base64: 20 MB on the terminal
    // $((1+1)) and $((2+2)) keep the markers out of the echoed command line.
    const std::string f = path("random");
    ssh->send_line("head -c " + std::to_string(kRandomBytes) + " /dev/urandom > " + f +
                   "; sha256sum " + f + " | sed 's/ .*/ SUM/'; echo BEGIN-$((1+1)); base64 -w 76 " +
                   f + "; echo END-$((2+2)); rm -f " + f);
    ASSERT_TRUE(ssh->expect(" SUM\r\n", 60s));
    const std::size_t sum_end = ssh->cursor() - 6;
    ASSERT_GE(sum_end, 64u);
    const std::string host_sum = ssh->transcript().substr(sum_end - 64, 64);
    ASSERT_EQ(host_sum.find_first_not_of("0123456789abcdef"), std::string::npos) << host_sum;
    ASSERT_TRUE(ssh->expect("BEGIN-2\r\n"));
    const std::size_t start = ssh->cursor();
    const auto t0 = Clock::now();
    ASSERT_TRUE(ssh->expect("\r\nEND-4\r\n", 180s));
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    const std::size_t end = ssh->cursor() - 9;  // before "\r\nEND-4\r\n"

    // The host's PTY turns each \n into \r\n; nothing else may differ.
    const auto decoded = decode_base64_lines(ssh->transcript(), start, end);
    ASSERT_TRUE(decoded) << "the received text is not base64";
    EXPECT_EQ(decoded->size(), kRandomBytes);
    EXPECT_EQ(sha256_hex(*decoded), host_sum);
    std::printf("[ measure  ] %s: %zu bytes of terminal output in %.2f s (%.1f MB/s)\n",
                front_end_name(GetParam()).c_str(), end - start, seconds,
                static_cast<double>(end - start) / seconds / 1e6);

    ssh->send_line("exit 0");
    EXPECT_EQ(ssh->read_all_until_exit(60s), 0);
}

TEST_P(BastionScenario, SttySizeEqualsTheClientSizeAndFollowsAResize) {
    auto ssh = alice({}, 101, 29);
    ASSERT_TRUE(connect_from_prompt(*ssh, account));
    ssh->send_line("stty size");
    ASSERT_TRUE(ssh->expect("29 101\r\n"));

    // The new size travels ssh -> front end -> tandem-shell -> host asynchronously: ask until
    // it is there (each answer is a fresh line, so stale answers cannot match).
    for (const auto& [cols, rows] : {std::pair{140, 45}, std::pair{60, 15}}) {
        ssh->resize(cols, rows);
        const std::string answer = std::to_string(rows) + " " + std::to_string(cols) + "\r\n";
        bool followed = false;
        for (int i = 0; i < 30 && !followed; ++i) {
            ssh->send_line("stty size");
            followed = ssh->wait_for(answer, 1s);
        }
        EXPECT_TRUE(followed) << cols << "x" << rows << " did not reach the host:\n" << ssh->tail();
    }
}

TEST_P(BastionScenario, DirectCommandRunsOnTheHostAndItsExitStatusIsSshs) {
    auto ssh = alice(account);
    ASSERT_TRUE(await_host_shell(*ssh));
    const auto marker = unique_marker();
    ssh->send_line(print_command(marker));
    ASSERT_TRUE(ssh->expect(marker + "\r\n"));
    ssh->send_line("exit 7");
    EXPECT_EQ(ssh->read_all_until_exit(30s), 7) << ssh->tail();
    EXPECT_EQ(ssh->transcript().find(kPrompt), std::string::npos)
        << "a direct connection must not show the bastion prompt:\n"
        << ssh->tail();
    // The session is recorded as alice's: the person the key (and, for tandem-sshd, the
    // login) named.
    const auto sessions = bastion->admin_ok({"sessions"});
    EXPECT_NE(sessions.out.find("alice"), std::string::npos) << sessions.out;
}

// dave is registered but holds no grant: refused at the prompt (which stays usable) and on a
// direct connection (which fails). Under OpenSSH his key makes him dave whatever he asks for.
TEST_P(BastionScenario, ConnectWithoutAGrantIsRefusedWithT302) {
    auto prompt = login("dave", dave_key);
    ASSERT_TRUE(prompt->expect(kPrompt));
    prompt->send_line("connect " + account);
    ASSERT_TRUE(prompt->expect(seen(ErrorCode::T_302_no_grant)));
    ASSERT_TRUE(prompt->expect(kPrompt));  // still at the bastion, free to try something else

    auto direct = login("dave", dave_key, account);
    ASSERT_TRUE(direct->expect(seen(ErrorCode::T_302_no_grant)));
    const auto status = direct->read_all_until_exit(30s);
    EXPECT_TRUE(status && *status != 0) << "exit status " << status.value_or(-1);
}

INSTANTIATE_TEST_SUITE_P(FrontEnds, BastionScenario,
                         ::testing::Values(FrontEndKind::tandem_sshd, FrontEndKind::openssh),
                         front_end_test_name);

}  // namespace
}  // namespace tandem::test
