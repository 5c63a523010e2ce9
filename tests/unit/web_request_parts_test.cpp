// Small pieces of the web face: public_url's origin, Cookie parsing, asset names and types,
// the login redirect, and the security headers.
#include <gtest/gtest.h>

#include "static_assets.hpp"
#include "web_headers.hpp"
#include "web_message.hpp"
#include "web_origin.hpp"
#include "web_routes.hpp"

namespace tandem::broker {
namespace {

TEST(PublicOrigin, NormalisesLikeABrowser) {
    auto o = parse_public_origin("https://Bastion.Example.com:8443/some/path");
    ASSERT_TRUE(o);
    EXPECT_TRUE(o->tls);
    EXPECT_EQ(o->origin, "https://bastion.example.com:8443");
    EXPECT_EQ(o->websocket, "wss://bastion.example.com:8443");
    EXPECT_EQ(parse_public_origin("https://b.example:443")->origin, "https://b.example");
    EXPECT_EQ(parse_public_origin("http://b.example:80/")->origin, "http://b.example");
    EXPECT_EQ(parse_public_origin("http://127.0.0.1:8080")->websocket, "ws://127.0.0.1:8080");
    EXPECT_EQ(parse_public_origin("https://[::1]:8443")->origin, "https://[::1]:8443");
}

TEST(PublicOrigin, RefusesWhatIsNoOrigin) {
    for (const char* bad : {"", "http", "https", "HTTP:/", "ftp://x", "https://", "https://:8443",
                            "https://a:0", "https://a:99999", "https://a:", "https://user@a",
                            "https://a b", "https://[::1", "https://a:8x"})
        EXPECT_FALSE(parse_public_origin(bad)) << bad;
}

TEST(CookieValue, FindsTheNamedCookie) {
    EXPECT_EQ(cookie_value("tandem_login=abc", "tandem_login"), "abc");
    EXPECT_EQ(cookie_value("a=1; tandem_login=xyz; b=2", "tandem_login"), "xyz");
    EXPECT_EQ(cookie_value("tandem_login=\"q\"", "tandem_login"), "q");
    EXPECT_EQ(cookie_value("xtandem_login=1; tandem_login_2=3", "tandem_login"), "");
    EXPECT_EQ(cookie_value("tandem_login=first; tandem_login=second", "tandem_login"), "first");
    EXPECT_EQ(cookie_value("", "tandem_login"), "");
}

TEST(StaticAssets, ServesKnownTypesOnly) {
    EXPECT_EQ(content_type_for("a.js"), "text/javascript; charset=utf-8");
    EXPECT_EQ(content_type_for("a.woff2"), "font/woff2");
    EXPECT_EQ(content_type_for("x.css"), "text/css; charset=utf-8");
    EXPECT_FALSE(content_type_for("a.txt"));
    EXPECT_FALSE(content_type_for("Makefile"));
    StaticAssets assets("/etc");
    EXPECT_FALSE(assets.load("../etc/passwd"));
    EXPECT_FALSE(assets.load("passwd"));
}

TEST(LoginRedirect, CarriesThePathEncoded) {
    EXPECT_EQ(login_redirect("/join"), "/login?next=%2Fjoin");
    EXPECT_EQ(login_redirect("/a b&c"), "/login?next=%2Fa%20b%26c");
    EXPECT_EQ(login_redirect(std::string(600, 'a')), "/login");
}

TEST(SecurityHeaders, PagesAreNeverStoredAndHstsOnlyWithTls) {
    const auto origin = *parse_public_origin("https://b.example:8443");
    SecurityHeaders tls(origin, true);
    SecurityHeaders plain(origin, false);
    auto get = [](const HeaderList& list, const std::string& name) {
        for (const auto& [n, v] : list)
            if (n == name) return v;
        return std::string();
    };
    EXPECT_EQ(get(tls.for_page(), "Cache-Control"), "no-store");
    EXPECT_NE(get(tls.for_asset(), "Cache-Control"), "no-store");
    EXPECT_FALSE(get(tls.for_page(), "Strict-Transport-Security").empty());
    EXPECT_TRUE(get(plain.for_page(), "Strict-Transport-Security").empty());
    const auto csp = get(tls.for_asset(), "Content-Security-Policy");
    EXPECT_NE(csp.find("connect-src 'self' wss://b.example:8443;"), std::string::npos) << csp;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
    EXPECT_EQ(csp.find("script-src 'self' 'unsafe-inline'"), std::string::npos);
}

}  // namespace
}  // namespace tandem::broker
