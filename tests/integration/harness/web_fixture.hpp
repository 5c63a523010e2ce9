// The scene for the web face's HTTP tests: a tandem instance whose broker serves the web face
// on a free loopback port, with test-owned assets (so these tests do not depend on the
// webview build), and users with web passwords set through `tandem-admin`.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "harness/bastion_instance.hpp"
#include "harness/https_client.hpp"
#include "harness/paths.hpp"
#include "harness/temp_dir.hpp"
#include "harness/web_socket_client.hpp"

namespace tandem::test {

// The login cookie's name: with the __Host- prefix when the public URL is https.
inline std::string login_cookie_name(const std::string& origin) {
    return origin.rfind("https://", 0) == 0 ? "__Host-tandem_login" : "tandem_login";
}
inline constexpr const char* kLoginPage = "<!doctype html><title>login page</title>\n";
inline constexpr const char* kJoinPage = "<!doctype html><title>join page</title>\n";
inline constexpr const char* kAppScript = "console.log('app');\n";

// Sets NAME's web password through the admin CLI (the user must exist).
inline void set_web_password(BastionInstance& bastion, const std::string& name,
                             const std::string& password) {
    auto r = bastion.admin({"user", "passwd", name}, password + "\n");
    ASSERT_EQ(r.exit_code, 0) << r.describe();
}

// Logs in; returns the login cookie's value ("" with a test failure when refused).
inline std::string web_login(WebClient& client, const std::string& origin, const std::string& user,
                             const std::string& password) {
    auto r = client.post_json("/api/login", {{"user", user}, {"password", password}},
                              {{"Origin", origin}});
    EXPECT_EQ(r.status, 200) << r.describe();
    const std::string cookie = set_cookie_value(r, login_cookie_name(origin));
    EXPECT_FALSE(cookie.empty()) << r.describe();
    return cookie;
}

class WebTest : public ::testing::Test {
  protected:
    virtual bool plain() const { return false; }
    virtual std::vector<std::string> broker_overrides() const { return {}; }

    void SetUp() override {
        bastion = std::make_unique<BastionInstance>(tmp.subdir("bastion"));
        assets = tmp.subdir("assets");
        write_file(assets + "/login.html", kLoginPage);
        write_file(assets + "/join.html", kJoinPage);
        write_file(assets + "/app.js", kAppScript);
        write_file(assets + "/tandem.css", "body { color: black; }\n");
        write_file(assets + "/notes.txt", "not a servable type\n");
        write_file(assets + "/.hidden.js", "hidden\n");
        write_file(tmp / "outside.js", "OUTSIDE-SECRET\n");
        bastion->add_user("alice");
        set_web_password(*bastion, "alice", alice_password);
        bastion->add_user("bob");
        set_web_password(*bastion, "bob", bob_password);
        bastion->start_broker_with_web(assets, plain(), broker_overrides());
    }

    WebClient client() const {
        return WebClient(bastion->web_port(), plain() ? "" : bastion->tls_cert_path());
    }
    std::string origin() const { return bastion->web_url(); }
    std::string cookie_name() const { return login_cookie_name(origin()); }
    HttpHeaders with_origin() const { return {{"Origin", origin()}}; }
    HttpHeaders with_cookie(const std::string& cookie) const {
        return {{"Cookie", cookie_name() + "=" + cookie}};
    }
    HttpHeaders with_cookie_and_origin(const std::string& cookie) const {
        return {{"Cookie", cookie_name() + "=" + cookie}, {"Origin", origin()}};
    }
    std::string login_as(const std::string& user, const std::string& password) {
        auto c = client();
        return web_login(c, origin(), user, password);
    }
    std::string login_as_alice() { return login_as("alice", alice_password); }
    // A WebSocket to /ws with this login cookie, our Origin and any extra headers.
    WebSocketClient web_socket(const std::string& cookie, const HttpHeaders& extra = {}) const {
        HttpHeaders headers = with_cookie_and_origin(cookie);
        headers.insert(headers.end(), extra.begin(), extra.end());
        return WebSocketClient(bastion->web_port(), plain() ? "" : bastion->tls_cert_path(),
                               headers);
    }

    TempDir tmp{"web"};  // declared first: destroyed last, after every process is gone
    std::unique_ptr<BastionInstance> bastion;
    std::string assets;
    const std::string alice_password = "alice's long web password";
    const std::string bob_password = "bob's long web password";
};

}  // namespace tandem::test
