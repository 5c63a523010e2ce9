// POST /api/invitation against a real share: a real SSH creator shares, a logged-in invitee's
// browser (here, the HTTPS client) asks what the invite is; a user without the grant, and
// everyone after `unshare`, gets the refusal's code and sentence instead.
#include <ctime>
#include <thread>

#include "harness/https_client.hpp"
#include "harness/sharing_fixture.hpp"
#include "harness/web_fixture.hpp"
#include "harness/web_socket_client.hpp"

namespace tandem::test {
namespace {

class WebInvitation : public SharingTest {
  protected:
    void SetUp() override {
        SharingTest::SetUp();
        bastion->stop_broker();  // the same broker, now with its web face
        bastion->start_broker_with_web(tmp.subdir("assets"), false, web_overrides());
        set_web_password(*bastion, "bob", "bob's web password");
        bastion->add_user("dave");  // no grant on the account
        set_web_password(*bastion, "dave", "dave's web password");
    }

    virtual std::vector<std::string> web_overrides() const { return {}; }

    WebClient web() const { return WebClient(bastion->web_port(), bastion->tls_cert_path()); }

    // bob's browser joins the share over a WebSocket whose upgrade says X-Forwarded-For: FORGED;
    // returns the "from" the welcome lists for bob, as every participant sees it.
    std::string bob_seen_from(const std::string& token, const std::string& forged) {
        auto c = web();
        const std::string cookie = web_login(c, bastion->web_url(), "bob", "bob's web password");
        WebSocketClient socket(bastion->web_port(), bastion->tls_cert_path(),
                               {{"Cookie", login_cookie_name(bastion->web_url()) + "=" + cookie},
                                {"Origin", bastion->web_url()},
                                {"X-Forwarded-For", forged}});
        if (!socket.open()) return "upgrade refused: " + socket.refusal().describe();
        socket.send({{"type", "join"}, {"token", token}});
        auto welcome = socket.next_text(10s);
        if (!welcome || welcome->value("type", "") != "welcome")
            return "no welcome: " + (welcome ? welcome->dump() : std::string("nothing"));
        for (const auto& p : (*welcome)["participants"])
            if (p.value("user", "") == "bob") return p.value("from", "");
        return "bob not listed: " + welcome->dump();
    }

    HttpReply preview(const std::string& cookie, const std::string& token) {
        auto c = web();
        return c.post_json("/api/invitation", {{"token", token}},
                           {{"Cookie", login_cookie_name(bastion->web_url()) + "=" + cookie},
                            {"Origin", bastion->web_url()}});
    }
};

TEST_F(WebInvitation, ShowsTheShareToGrantHoldersAndTheRefusalToOthers) {
    auto alice_ssh = creator(100, 30);
    auto invite = share(*alice_ssh);
    ASSERT_TRUE(invite);
    EXPECT_EQ(invite->url, bastion->web_url() + "/join#" + invite->token);

    auto c = web();
    const std::string bob = web_login(c, bastion->web_url(), "bob", "bob's web password");
    auto r = preview(bob, invite->token);
    ASSERT_EQ(r.status, 200) << r.describe();
    const auto view = r.json();
    EXPECT_EQ(view.value("ok", false), true) << r.body;
    EXPECT_EQ(view.value("creator", ""), "alice");
    EXPECT_EQ(view.value("account", ""), account);
    EXPECT_EQ(view.value("cols", 0), 100);
    EXPECT_EQ(view.value("rows", 0), 30);
    EXPECT_EQ(view.value("controller", ""), "alice");
    const auto now = static_cast<long long>(std::time(nullptr));
    EXPECT_NEAR(view.value("now", 0LL), now, 5);
    // The default invite.ttl is 30 minutes.
    EXPECT_NEAR(view.value("expires_at", 0LL) - view.value("now", 0LL), 30 * 60, 10);
    ASSERT_TRUE(view.contains("participants") && view["participants"].is_array()) << r.body;
    bool creator_listed = false;
    for (const auto& p : view["participants"])
        creator_listed |= p.value("user", "") == "alice" && p.value("controller", false);
    EXPECT_TRUE(creator_listed) << r.body;

    const std::string dave = web_login(c, bastion->web_url(), "dave", "dave's web password");
    EXPECT_EQ(
        preview(dave, invite->token).json(),
        (nlohmann::json{
            {"ok", false}, {"code", "T_302"}, {"text", user_message(ErrorCode::T_302_no_grant)}}));

    escape_command(*alice_ssh, "unshare");
    close_escape_prompt(*alice_ssh);
    nlohmann::json after = nlohmann::json::object();
    for (int i = 0; i < 100 && after.value("code", "") != "T_704"; ++i) {
        if (i) std::this_thread::sleep_for(100ms);
        after = preview(bob, invite->token).json();
    }
    EXPECT_EQ(after, (nlohmann::json{{"ok", false},
                                     {"code", "T_704"},
                                     {"text", user_message(ErrorCode::T_704_share_cancelled)}}));

    // The token travelled in request bodies only: no log has it.
    for (const auto& log : {bastion->log_path(), bastion->dir() + "/tandem-broker.err",
                            bastion->dir() + "/tandem-broker.out"})
        EXPECT_EQ(read_file(log).find(invite->token), std::string::npos) << log;
}

TEST_F(WebInvitation, AForgedForwardedForIsNotWhatOthersSee) {
    auto alice_ssh = creator();
    auto invite = share(*alice_ssh);
    ASSERT_TRUE(invite);
    // No proxy is trusted (the default): the address is the TCP peer's.
    EXPECT_EQ(bob_seen_from(invite->token, "192.0.2.77"), "127.0.0.1");
    EXPECT_TRUE(alice_ssh->wait_for("bob joined (web from 127.0.0.1)", 10s)) << alice_ssh->tail();
    EXPECT_EQ(alice_ssh->transcript().find("192.0.2.77"), std::string::npos);
}

class WebInvitationBehindProxy : public WebInvitation {
  protected:
    std::vector<std::string> web_overrides() const override {
        return {"--web.trusted_proxies=127.0.0.1/32"};
    }
};

TEST_F(WebInvitationBehindProxy, OthersSeeTheAddressTheTrustedProxyReports) {
    auto alice_ssh = creator();
    auto invite = share(*alice_ssh);
    ASSERT_TRUE(invite);
    // The client forged the left part; the proxy (127.0.0.1, trusted) appended 192.0.2.78.
    EXPECT_EQ(bob_seen_from(invite->token, "203.0.113.5, 192.0.2.78"), "192.0.2.78");
    EXPECT_TRUE(alice_ssh->wait_for("bob joined (web from 192.0.2.78)", 10s)) << alice_ssh->tail();
    EXPECT_EQ(alice_ssh->transcript().find("203.0.113.5"), std::string::npos);
}

}  // namespace
}  // namespace tandem::test
