// Attacks through the web face's WebSockets, over real HTTPS/WebSocket connections to a real
// tandem-broker: one user opening WebSockets until the broker runs out of file descriptors, and
// WebSockets that outlive the login they were opened with (logout, password change). Each comes
// with the legitimate use of the same path.
#include <thread>

#include "harness/web_fixture.hpp"
#include "tandem/errors.hpp"

namespace tandem::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Whether the socket is still open after a short look (it stays usable).
bool stays_open(WebSocketClient& socket, std::chrono::milliseconds look = 300ms) {
    return !socket.wait_closed(look) && socket.open();
}

TEST_F(WebTest, OneUserCannotOpenMoreThanTheirShareOfWebSockets) {
    const std::string alice = login_as_alice();
    // The default web.max_websockets_per_user is 8.
    std::vector<WebSocketClient> sockets;
    for (int i = 0; i < 8; ++i) {
        sockets.push_back(web_socket(alice));
        ASSERT_TRUE(sockets.back().open()) << i << "\n" << sockets.back().refusal().describe();
    }
    auto extra = web_socket(alice);
    EXPECT_FALSE(extra.open());
    EXPECT_EQ(extra.refusal().status, 429) << extra.refusal().describe();
    EXPECT_EQ(extra.refusal().json().value("code", ""), "T_208") << extra.refusal().describe();
    EXPECT_EQ(extra.refusal().json().value("text", ""),
              user_message(ErrorCode::T_208_too_many_websockets));
    // Logging in again does not buy more.
    auto again = web_socket(login_as_alice());
    EXPECT_EQ(again.refusal().status, 429) << again.refusal().describe();

    // Positive control: bob is not starved by alice...
    auto bob = web_socket(login_as("bob", bob_password));
    EXPECT_TRUE(bob.open()) << bob.refusal().describe();
    // ...and once alice closes one, she may open one again.
    sockets.front().close();
    bool reopened = false;
    for (int i = 0; i < 20 && !reopened; ++i) {
        if (i) std::this_thread::sleep_for(100ms);
        reopened = web_socket(alice).open();
    }
    EXPECT_TRUE(reopened) << "closing a WebSocket did not free its place";
    for (std::size_t i = 1; i < sockets.size(); ++i) EXPECT_TRUE(sockets[i].open()) << i;
}

// A small overall cap: WebSockets hold their connection's place under it after the upgrade.
class WebConnectionCap : public WebTest {
  protected:
    std::vector<std::string> broker_overrides() const override {
        return {"--web.max_connections=4"};
    }
};

TEST_F(WebConnectionCap, WebSocketsCountTowardsTheConnectionCap) {
    const std::string alice = login_as_alice();
    std::vector<WebSocketClient> sockets;
    for (int i = 0; i < 4; ++i) {
        // The login's own connection may take a moment to be let go.
        sockets.push_back(web_socket(alice));
        for (int retry = 0; retry < 20 && !sockets.back().open(); ++retry) {
            std::this_thread::sleep_for(100ms);
            sockets.back() = web_socket(alice);
        }
        ASSERT_TRUE(sockets.back().open()) << sockets.back().refusal().describe();
    }
    // Four open WebSockets fill the cap: a fifth connection is closed unanswered.
    auto c = client();
    EXPECT_THROW(c.get("/login"), std::runtime_error)
        << "the upgraded connections no longer counted";
    // Positive control: closing one lets a page load again.
    sockets.back().close();
    int status = 0;
    for (int i = 0; i < 20 && status != 200; ++i) {
        if (i) std::this_thread::sleep_for(100ms);
        try {
            status = c.get("/login").status;
        } catch (const std::runtime_error&) {
        }
    }
    EXPECT_EQ(status, 200);
}

TEST_F(WebTest, LogoutClosesThatLoginsWebSocketsWithinASecond) {
    const std::string first = login_as_alice();
    const std::string second = login_as_alice();
    const std::string bob = login_as("bob", bob_password);
    auto socket = web_socket(first);
    auto other_login = web_socket(second);
    auto bobs = web_socket(bob);
    ASSERT_TRUE(socket.open() && other_login.open() && bobs.open());

    auto c = client();
    const auto start = Clock::now();
    auto r = c.post_json("/api/logout", nlohmann::json::object(), with_cookie_and_origin(first));
    ASSERT_EQ(r.status, 200) << r.describe();
    auto closed = socket.wait_closed(
        1000ms - std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start));
    ASSERT_TRUE(closed) << "the logged-out login's WebSocket is still open after a second";
    EXPECT_EQ(closed->code, 1008);
    EXPECT_EQ(closed->reason, "logged out");

    // Positive control: alice's other login and bob keep theirs.
    EXPECT_TRUE(stays_open(other_login));
    EXPECT_TRUE(stays_open(bobs));
    EXPECT_EQ(c.get("/api/me", with_cookie(second)).status, 200);
}

TEST_F(WebTest, APasswordChangeClosesTheUsersWebSocketsWithinASecond) {
    const std::string alice = login_as_alice();
    const std::string bob = login_as("bob", bob_password);
    auto alices = web_socket(alice);
    auto bobs = web_socket(bob);
    ASSERT_TRUE(alices.open() && bobs.open());

    set_web_password(*bastion, "alice", "alice's next long password");
    const auto changed = Clock::now();
    auto closed = alices.wait_closed(1000ms);
    ASSERT_TRUE(closed) << "alice's WebSocket is still open a second after her password changed";
    EXPECT_LE(Clock::now() - changed, 1000ms);
    EXPECT_EQ(closed->reason, "password changed");

    // Positive control: bob's stays open, and alice's new password opens a new one.
    EXPECT_TRUE(stays_open(bobs));
    auto fresh = web_socket(login_as("alice", "alice's next long password"));
    EXPECT_TRUE(fresh.open()) << fresh.refusal().describe();
}

}  // namespace
}  // namespace tandem::test
