// What a web O&M session's page is told that does not need a running hook: where invitees ssh
// to, and how the session's end reads.
#include <gtest/gtest.h>

#include "web_om_session.hpp"

namespace tandem::broker {
namespace {

TEST(WebOmJoinAddress, IsThePublicAddressElseTheListenPortOnThePublicHost) {
    Config config;
    config.ssh_listen = "0.0.0.0:2222";
    config.web_public_url = "https://bastion.example.com:8443";
    EXPECT_EQ(web_om_join_address(config), "bastion.example.com:2222");
    config.ssh_listen = "127.0.0.1:2200";
    EXPECT_EQ(web_om_join_address(config), "127.0.0.1:2200");
    config.ssh_listen = "[::]:2222";
    config.web_public_url = "https://[2001:db8::5]:8443";
    EXPECT_EQ(web_om_join_address(config), "[2001:db8::5]:2222");
    config.ssh_public_address = "ssh.example.com:22";
    EXPECT_EQ(web_om_join_address(config), "ssh.example.com:22");
}

TEST(WebOmEndMessage, CarriesTheCodeAndItsSentenceOrSaysWhyInWords) {
    const auto frozen = web_om_end_message("T_514", ErrorCode::T_514_host_unresponsive);
    EXPECT_EQ(frozen["code"], "T_514");
    EXPECT_EQ(frozen["text"], user_message(ErrorCode::T_514_host_unresponsive));
    EXPECT_EQ(frozen["text"].get<std::string>().rfind("connection error (code: T_514): ", 0), 0u);
    const auto exited = web_om_end_message("exit", std::nullopt);
    EXPECT_FALSE(exited.contains("code"));
    EXPECT_EQ(exited["text"], "The session ended: the shell on the host exited.");
    EXPECT_EQ(web_om_end_message("page closed", std::nullopt)["text"],
              "The session ended (page closed).");
}

}  // namespace
}  // namespace tandem::broker
