// The web face over real HTTPS against a real tandem-broker: what anonymous visitors get, login
// and its cookie, wrong passwords and the rate limit, logout, the Origin rule on POSTs and the
// WebSocket upgrade, security headers, asset paths, and size limits.
#include <chrono>
#include <regex>

#include "harness/web_fixture.hpp"
#include "tandem/errors.hpp"

namespace tandem::test {
namespace {

// The contract's headers, on every response (docs/web.md).
void expect_security_headers(const HttpReply& r, const std::string& websocket_origin, bool tls,
                             bool page) {
    const std::string csp = r.header("Content-Security-Policy");
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << r.describe();
    EXPECT_NE(csp.find("script-src 'self';"), std::string::npos) << r.describe();
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << r.describe();
    EXPECT_NE(csp.find("connect-src 'self' " + websocket_origin + ";"), std::string::npos)
        << r.describe();
    EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos);
    EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff") << r.describe();
    EXPECT_EQ(r.header("Referrer-Policy"), "no-referrer") << r.describe();
    EXPECT_EQ(r.header("X-Frame-Options"), "DENY") << r.describe();
    EXPECT_EQ(r.has("Strict-Transport-Security"), tls) << r.describe();
    if (page) {
        EXPECT_EQ(r.header("Cache-Control"), "no-store") << r.describe();
    }
}

TEST_F(WebTest, AnonymousVisitorsGetARedirectOrA401AndNoData) {
    auto c = client();
    for (const std::string page : {"/", "/join", "/hosts", "/no/such/page"}) {
        auto r = c.get(page);
        EXPECT_EQ(r.status, 302) << page << "\n" << r.describe();
        EXPECT_EQ(r.header("Location").rfind("/login?next=", 0), 0u) << page;
        EXPECT_TRUE(r.body.empty()) << page;
    }
    EXPECT_EQ(c.get("/join").header("Location"), "/login?next=%2Fjoin");

    auto expect_401 = [](const HttpReply& r, const std::string& what) {
        EXPECT_EQ(r.status, 401) << what << "\n" << r.describe();
        const auto body = r.json();
        EXPECT_EQ(body.value("code", ""), "T_205") << what;
        EXPECT_EQ(body.value("text", ""), user_message(ErrorCode::T_205_not_logged_in)) << what;
        EXPECT_FALSE(body.contains("user") || body.contains("creator")) << what;
    };
    expect_401(c.get("/api/me"), "GET /api/me");
    expect_401(c.get("/api/anything"), "GET /api/anything");
    expect_401(c.post_json("/api/invitation", {{"token", "x"}}, with_origin()), "invitation");
    expect_401(c.post_json("/api/logout", nlohmann::json::object(), with_origin()), "logout");
    expect_401(c.upgrade("/ws", with_origin()), "GET /ws");
    // A forged or stale cookie is no better than none.
    expect_401(c.get("/api/me", with_cookie(std::string(43, 'A'))), "forged cookie");

    // Public: the login page and assets.
    auto login = c.get("/login");
    EXPECT_EQ(login.status, 200);
    EXPECT_EQ(login.body, kLoginPage);
    EXPECT_EQ(login.header("Content-Type"), "text/html; charset=utf-8");
}

TEST_F(WebTest, LoginSetsAStrictServerSideSessionCookie) {
    auto c = client();
    auto r =
        c.post_json("/api/login", {{"user", "alice"}, {"password", alice_password}}, with_origin());
    ASSERT_EQ(r.status, 200) << r.describe();
    EXPECT_EQ(r.json(), (nlohmann::json{{"ok", true}, {"user", "alice"}}));
    // Over TLS the name carries the __Host- prefix: browsers then take it only from this host,
    // Secure, with Path=/ and no Domain, so no sibling host can plant or shadow it.
    const std::string line = set_cookie_line(r, "__Host-tandem_login");
    ASSERT_FALSE(line.empty()) << r.describe();
    EXPECT_TRUE(set_cookie_line(r, "tandem_login").empty()) << r.describe();
    for (const char* attribute : {"; Path=/", "; HttpOnly", "; Secure", "; SameSite=Strict"})
        EXPECT_NE(line.find(attribute), std::string::npos) << attribute << " missing: " << line;
    EXPECT_EQ(line.find("Domain"), std::string::npos) << line;
    const std::string cookie = set_cookie_value(r, cookie_name());
    EXPECT_TRUE(std::regex_match(cookie, std::regex("[A-Za-z0-9_-]{43}"))) << cookie;

    auto me = c.get("/api/me", with_cookie(cookie));
    EXPECT_EQ(me.json(), (nlohmann::json{{"ok", true},
                                         {"user", "alice"},
                                         {"roles", {{"admin", false}, {"auditor", false}}}}))
        << me.describe();
    auto join = c.get("/join", with_cookie(cookie));
    EXPECT_EQ(join.status, 200);
    EXPECT_EQ(join.body, kJoinPage);
    EXPECT_EQ(c.get("/", with_cookie(cookie)).header("Location"), "/hosts");
    EXPECT_EQ(c.get("/no/such/page", with_cookie(cookie)).status, 404);

    // Every login is a new random session.
    EXPECT_NE(login_as_alice(), cookie);
    // The cookie value never reaches the log.
    EXPECT_EQ(read_file(bastion->log_path()).find(cookie), std::string::npos);
}

TEST_F(WebTest, WrongPasswordOrUnknownUserIsT203AndLooksTheSame) {
    auto c = client();
    auto wrong =
        c.post_json("/api/login", {{"user", "alice"}, {"password", "not it"}}, with_origin());
    EXPECT_EQ(wrong.status, 401) << wrong.describe();
    EXPECT_EQ(wrong.json().value("code", ""), "T_203");
    EXPECT_EQ(wrong.json().value("text", ""), user_message(ErrorCode::T_203_wrong_password));
    EXPECT_FALSE(wrong.has("Set-Cookie"));

    // An unknown user gets the same answer, after a real KDF run (not an early return).
    const auto start = std::chrono::steady_clock::now();
    auto unknown =
        c.post_json("/api/login", {{"user", "mallory"}, {"password", "not it"}}, with_origin());
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(unknown.status, wrong.status);
    EXPECT_EQ(unknown.body, wrong.body);
    EXPECT_GE(took, std::chrono::milliseconds(30)) << "no password hash was computed";
    EXPECT_EQ(read_file(bastion->log_path()).find("not it"), std::string::npos);
}

TEST_F(WebTest, LogoutEndsTheSession) {
    const std::string cookie = login_as_alice();
    auto c = client();
    auto r = c.post_json("/api/logout", nlohmann::json::object(), with_cookie_and_origin(cookie));
    EXPECT_EQ(r.status, 200) << r.describe();
    EXPECT_EQ(r.json().value("ok", false), true);
    EXPECT_NE(set_cookie_line(r, cookie_name()).find("Max-Age=0"), std::string::npos)
        << r.describe();
    EXPECT_EQ(c.get("/api/me", with_cookie(cookie)).status, 401);
    EXPECT_EQ(c.get("/join", with_cookie(cookie)).status, 302);
}

TEST_F(WebTest, ANewPasswordEndsExistingLogins) {
    const std::string cookie = login_as_alice();
    auto c = client();
    EXPECT_EQ(c.get("/api/me", with_cookie(cookie)).status, 200);
    set_web_password(*bastion, "alice", "a brand new password");
    EXPECT_EQ(c.get("/api/me", with_cookie(cookie)).status, 401);
}

TEST_F(WebTest, PostsWithoutOurOriginAreRefusedBeforeAnythingHappens) {
    const std::string cookie = login_as_alice();
    auto c = client();
    const std::string port = std::to_string(bastion->web_port());
    for (const std::string& foreign :
         {std::string(), std::string("https://evil.example"), std::string("null"),
          "http://127.0.0.1:" + port, "https://127.0.0.1:" + port + "0",
          "https://localhost:" + port}) {
        HttpHeaders headers = with_cookie(cookie);
        if (!foreign.empty()) headers.emplace_back("Origin", foreign);
        auto r = c.post_json("/api/logout", nlohmann::json::object(), headers);
        EXPECT_EQ(r.status, 403) << "Origin '" << foreign << "'\n" << r.describe();
        EXPECT_EQ(r.json().value("code", ""), "T_206");
        EXPECT_EQ(r.json().value("text", ""), user_message(ErrorCode::T_206_foreign_origin));
        // Not logged out: the request did nothing.
        EXPECT_EQ(c.get("/api/me", with_cookie(cookie)).status, 200) << foreign;

        auto login =
            c.post_json("/api/login", {{"user", "alice"}, {"password", alice_password}},
                        foreign.empty() ? HttpHeaders{} : HttpHeaders{{"Origin", foreign}});
        EXPECT_EQ(login.status, 403) << login.describe();
        EXPECT_FALSE(login.has("Set-Cookie"));
    }
}

TEST_F(WebTest, WebSocketUpgradeIsRefusedBeforeAnyFrame) {
    const std::string cookie = login_as_alice();
    auto c = client();
    struct Case {
        const char* what;
        HttpHeaders headers;
        int status;
    };
    const std::vector<Case> cases = {
        {"cookie, no Origin", with_cookie(cookie), 403},
        {"cookie, foreign Origin",
         {{"Cookie", cookie_name() + "=" + cookie}, {"Origin", "https://evil.example"}},
         403},
        {"Origin, no cookie", with_origin(), 401},
        {"Origin, forged cookie", with_cookie_and_origin(std::string(43, 'x')), 401},
        {"nothing", {}, 403},
    };
    for (const auto& k : cases) {
        auto r = c.upgrade("/ws", k.headers);
        EXPECT_EQ(r.status, k.status) << k.what << "\n" << r.describe();
        EXPECT_FALSE(r.has("Sec-WebSocket-Accept")) << k.what;
        EXPECT_TRUE(r.after.empty()) << k.what << ": bytes after the refusal: " << r.after.size();
        expect_security_headers(r, "wss://127.0.0.1:" + std::to_string(bastion->web_port()), true,
                                true);
    }
    // With both, the viewer takes the connection over.
    auto ok = c.upgrade("/ws", with_cookie_and_origin(cookie), std::chrono::milliseconds(200));
    EXPECT_EQ(ok.status, 101) << ok.describe();
    expect_security_headers(ok, "wss://127.0.0.1:" + std::to_string(bastion->web_port()), true,
                            true);
}

TEST_F(WebTest, EveryResponseCarriesTheSecurityHeaders) {
    const std::string cookie = login_as_alice();
    auto c = client();
    const std::string ws = "wss://127.0.0.1:" + std::to_string(bastion->web_port());
    struct Seen {
        const char* what;
        HttpReply reply;
        int status;
        bool page;
    };
    std::vector<Seen> seen = {
        {"login page", c.get("/login"), 200, true},
        {"join page", c.get("/join", with_cookie(cookie)), 200, true},
        {"API", c.get("/api/me", with_cookie(cookie)), 200, true},
        {"asset", c.get("/assets/app.js"), 200, false},
        {"404", c.get("/nothing", with_cookie(cookie)), 404, true},
        {"asset 404", c.get("/assets/none.js"), 404, true},
        {"401", c.get("/api/me"), 401, true},
        {"302", c.get("/join"), 302, true},
        {"403", c.post_json("/api/logout", nlohmann::json::object()), 403, true},
        {"405", c.request("DELETE", "/login"), 405, true},
        {"login refused",
         c.post_json("/api/login", {{"user", "x"}, {"password", "y"}}, with_origin()), 401, true},
    };
    for (const auto& s : seen) {
        SCOPED_TRACE(s.what);
        EXPECT_EQ(s.reply.status, s.status) << s.reply.describe();
        expect_security_headers(s.reply, ws, true, s.page);
    }
    EXPECT_EQ(seen[3].reply.header("Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(seen[3].reply.body, kAppScript);
    EXPECT_NE(seen[3].reply.header("Cache-Control"), "no-store");
}

TEST_F(WebTest, AssetPathsCannotLeaveTheAssetsDirectory) {
    auto c = client();
    for (const std::string target :
         {"/assets/../outside.js", "/assets/..%2foutside.js", "/assets/%2e%2e%2foutside.js",
          "/assets/..", "/assets/", "/assets/.hidden.js", "/assets/notes.txt", "/assets//app.js",
          "/assets/./app.js", "/assets/app.js/", "/assets/%61pp.js", "/assets/app.js%00.js"}) {
        auto r = c.get(target);
        EXPECT_EQ(r.status, 404) << target << "\n" << r.describe();
        EXPECT_EQ(r.body.find("OUTSIDE-SECRET"), std::string::npos) << target;
        EXPECT_EQ(r.body.find("hidden"), std::string::npos) << target;
    }
    auto css = c.get("/assets/tandem.css");
    EXPECT_EQ(css.status, 200);
    EXPECT_EQ(css.header("Content-Type"), "text/css; charset=utf-8");
}

TEST_F(WebTest, OversizedRequestsAreRefused) {
    auto c = client();
    const std::string big_password(5000, 'p');
    auto r =
        c.post_json("/api/login", {{"user", "alice"}, {"password", big_password}}, with_origin());
    EXPECT_EQ(r.status, 413) << r.describe();
    EXPECT_FALSE(r.has("Set-Cookie"));

    const std::string cookie = login_as_alice();
    auto token = c.post_json("/api/invitation", {{"token", std::string(8000, 't')}},
                             with_cookie_and_origin(cookie));
    EXPECT_EQ(token.status, 413) << token.describe();

    auto header = c.get(
        "/join", {{"Cookie", cookie_name() + "=" + cookie}, {"X-Filler", std::string(9000, 'h')}});
    EXPECT_EQ(header.status, 431) << header.describe();
}

TEST_F(WebTest, InvitationWithABadTokenIsARefusalWithItsCode) {
    const std::string cookie = login_as_alice();
    auto c = client();
    auto r =
        c.post_json("/api/invitation", {{"token", "not-a-token"}}, with_cookie_and_origin(cookie));
    EXPECT_EQ(r.status, 200) << r.describe();
    EXPECT_EQ(r.json(), (nlohmann::json{{"ok", false},
                                        {"code", "T_702"},
                                        {"text", user_message(ErrorCode::T_702_invite_invalid)}}));
}

class WebPlainHttpTest : public WebTest {
  protected:
    bool plain() const override { return true; }
};

TEST_F(WebPlainHttpTest, PlainModeServesHttpWithSecureCookiesAndNoHsts) {
    auto c = client();
    auto page = c.get("/login");
    EXPECT_EQ(page.status, 200);
    expect_security_headers(page, "ws://127.0.0.1:" + std::to_string(bastion->web_port()), false,
                            true);
    auto r =
        c.post_json("/api/login", {{"user", "alice"}, {"password", alice_password}}, with_origin());
    ASSERT_EQ(r.status, 200) << r.describe();
    // The public URL is http:// here: no __Host- prefix (browsers would drop such a cookie).
    EXPECT_EQ(cookie_name(), "tandem_login");
    EXPECT_NE(set_cookie_line(r, cookie_name()).find("; Secure"), std::string::npos);
    const std::string cookie = set_cookie_value(r, cookie_name());
    EXPECT_EQ(c.get("/api/me", with_cookie(cookie)).json().value("user", ""), "alice");
    EXPECT_EQ(c.upgrade("/ws", with_cookie(cookie)).status, 403);
    EXPECT_EQ(
        c.upgrade("/ws", with_cookie_and_origin(cookie), std::chrono::milliseconds(200)).status,
        101);
}

// The rate limits need clients at different addresses. Tests stay on 127.0.0.1, so they stand
// behind a "proxy": web.trusted_proxies names 127.0.0.1, whose X-Forwarded-For the broker then
// believes (docs/web.md). The addresses are documentation ones (RFC 5737).
class WebBehindProxyTest : public WebPlainHttpTest {
  protected:
    std::vector<std::string> broker_overrides() const override {
        return {"--web.trusted_proxies=127.0.0.1/32"};
    }
};

HttpHeaders from_address(HttpHeaders headers, const std::string& address) {
    headers.emplace_back("X-Forwarded-For", address);
    return headers;
}

TEST_F(WebBehindProxyTest, FailedLoginsAreRateLimitedPerUserName) {
    auto c = client();
    for (int i = 0; i < 5; ++i) {
        auto r = c.post_json("/api/login", {{"user", "alice"}, {"password", "guess"}},
                             from_address(with_origin(), "192.0.2.10"));
        EXPECT_EQ(r.status, 401) << "attempt " << i << "\n" << r.describe();
    }
    // From another address, even the right password is refused for alice for a while...
    auto r = c.post_json("/api/login", {{"user", "alice"}, {"password", alice_password}},
                         from_address(with_origin(), "192.0.2.20"));
    EXPECT_EQ(r.status, 429) << r.describe();
    EXPECT_EQ(r.json().value("code", ""), "T_204");
    EXPECT_EQ(r.json().value("text", ""), user_message(ErrorCode::T_204_login_throttled));
    EXPECT_FALSE(r.has("Set-Cookie"));
    // ...while bob, from there, is not affected.
    auto bob = c.post_json("/api/login", {{"user", "bob"}, {"password", bob_password}},
                           from_address(with_origin(), "192.0.2.20"));
    EXPECT_EQ(bob.status, 200) << bob.describe();
}

TEST_F(WebBehindProxyTest, FailedLoginsAreRateLimitedPerAddress) {
    auto c = client();
    for (int i = 0; i < 5; ++i) {
        auto r =
            c.post_json("/api/login", {{"user", "user" + std::to_string(i)}, {"password", "guess"}},
                        from_address(with_origin(), "192.0.2.30"));
        EXPECT_EQ(r.status, 401) << r.describe();
    }
    auto r = c.post_json("/api/login", {{"user", "bob"}, {"password", bob_password}},
                         from_address(with_origin(), "192.0.2.30"));
    EXPECT_EQ(r.status, 429) << r.describe();
    EXPECT_EQ(r.json().value("code", ""), "T_204");
    // bob from his own address logs in.
    auto own = c.post_json("/api/login", {{"user", "bob"}, {"password", bob_password}},
                           from_address(with_origin(), "192.0.2.40"));
    EXPECT_EQ(own.status, 200) << own.describe();
}

}  // namespace
}  // namespace tandem::test
