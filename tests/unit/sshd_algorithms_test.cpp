// tandem-sshd: the algorithm policy is modern-only and every name is one libssh knows.
#include <gtest/gtest.h>
#include <libssh/server.h>

#include <sstream>
#include <string>
#include <vector>

#include "../../sshd-plugin/sshd/algorithms.hpp"
#include "../../sshd-plugin/sshd/exit_report.hpp"

namespace tandem::sshd {
namespace {

std::vector<std::string> split(const char* list) {
    std::vector<std::string> out;
    std::stringstream in(list);
    for (std::string item; std::getline(in, item, ',');) out.push_back(item);
    return out;
}

TEST(SshdAlgorithms, NoLegacyAlgorithms) {
    for (const char* list : {algorithms::key_exchange, algorithms::ciphers, algorithms::macs,
                             algorithms::host_keys, algorithms::user_keys}) {
        for (const auto& name : split(list)) {
            EXPECT_EQ(name.find("sha1"), std::string::npos) << name;
            EXPECT_EQ(name.find("cbc"), std::string::npos) << name;
            EXPECT_EQ(name.find("diffie-hellman"), std::string::npos) << name;
            EXPECT_EQ(name.find("dss"), std::string::npos) << name;
            EXPECT_NE(name, "ssh-rsa") << "SHA-1 RSA signatures";
            EXPECT_NE(name, "none");
        }
    }
    EXPECT_EQ(split(algorithms::ciphers).front(), "chacha20-poly1305@openssh.com");
    EXPECT_GE(algorithms::rsa_min_bits, 2048);
}

// libssh silently drops unknown names from a list, so each name is set alone: an unknown one
// leaves nothing and is refused.
TEST(SshdAlgorithms, LibsshKnowsEveryName) {
    struct Option {
        ssh_bind_options_e option;
        const char* list;
    };
    const Option options[] = {
        {SSH_BIND_OPTIONS_KEY_EXCHANGE, algorithms::key_exchange},
        {SSH_BIND_OPTIONS_CIPHERS_S_C, algorithms::ciphers},
        {SSH_BIND_OPTIONS_HMAC_S_C, algorithms::macs},
        {SSH_BIND_OPTIONS_HOSTKEY_ALGORITHMS, algorithms::host_keys},
        {SSH_BIND_OPTIONS_PUBKEY_ACCEPTED_KEY_TYPES, algorithms::user_keys},
    };
    for (const auto& o : options) {
        for (const auto& name : split(o.list)) {
            ssh_bind bind = ssh_bind_new();
            ASSERT_NE(bind, nullptr);
            EXPECT_EQ(ssh_bind_options_set(bind, o.option, name.c_str()), SSH_OK) << name;
            ssh_bind_free(bind);
        }
    }
}

TEST(SshdExitReport, StatusAndSignals) {
    const ExitReport seven = exit_report_from_wait_status(7 << 8);
    EXPECT_FALSE(seven.signaled);
    EXPECT_EQ(seven.status, 7);

    const ExitReport term = exit_report_from_wait_status(SIGTERM);
    EXPECT_TRUE(term.signaled);
    EXPECT_EQ(term.signal, "TERM");
    EXPECT_EQ(rfc4254_signal_name(SIGHUP), "HUP");
    EXPECT_EQ(rfc4254_signal_name(SIGKILL), "KILL");
    EXPECT_EQ(rfc4254_signal_name(SIGWINCH), "SIG@openssh.com");
}

}  // namespace
}  // namespace tandem::sshd
