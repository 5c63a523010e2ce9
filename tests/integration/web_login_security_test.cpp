// Attacks on the web login, performed over real HTTP against a real tandem-broker: resetting a
// lockout through the busy password checker, forging X-Forwarded-For to dodge the per-address
// limit or to be shown as someone else, and living on with a login past its maximum age. Each
// attack comes with the legitimate use of the same path. Addresses are documentation ones
// (RFC 5737, RFC 3849).
#include <atomic>
#include <thread>

#include "harness/web_fixture.hpp"
#include "tandem/errors.hpp"

namespace tandem::test {
namespace {

using namespace std::chrono_literals;

HttpHeaders forwarded(HttpHeaders headers, const std::vector<std::string>& lines) {
    for (const auto& line : lines) headers.emplace_back("X-Forwarded-For", line);
    return headers;
}

// Plain HTTP behind a "proxy" on 127.0.0.1 that web.trusted_proxies names.
class WebBehindTrustedProxy : public WebTest {
  protected:
    bool plain() const override { return true; }
    std::vector<std::string> broker_overrides() const override {
        return {"--web.trusted_proxies=127.0.0.1/32"};
    }
    HttpReply login(const std::string& user, const std::string& password,
                    const std::vector<std::string>& xff) {
        auto c = client();
        // A counted guess may wait behind a full password checker: 16 scrypt checks, over a
        // second each in the sanitizer build on a busy machine.
        c.set_reply_timeout(std::chrono::seconds(90));
        return c.post_json("/api/login", {{"user", user}, {"password", password}},
                           forwarded(with_origin(), xff));
    }
};

// Keeps the password checker full: many clients, each login a new name from a new address (so
// that no throttle stops them), until told to stop.
class CheckerFlood {
  public:
    CheckerFlood(std::uint16_t port, const std::string& origin, int clients) {
        for (int i = 0; i < clients; ++i)
            threads_.emplace_back([this, port, origin, i] {
                for (int n = 0; !stop_; ++n) {
                    WebClient c(port, "");
                    const std::string tag = std::to_string(i) + "-" + std::to_string(n);
                    const std::string from =
                        "2001:db8:" + std::to_string(i + 1) + "::" + std::to_string(n + 1);
                    try {
                        auto r = c.post_json("/api/login",
                                             {{"user", "flood-" + tag}, {"password", "guess"}},
                                             {{"Origin", origin}, {"X-Forwarded-For", from}});
                        if (r.status == 503) ++busy_;
                    } catch (const std::exception&) {
                        // The broker may shed a connection under the flood; keep going.
                    }
                }
            });
    }
    ~CheckerFlood() { stop(); }
    void stop() {
        stop_ = true;
        for (auto& t : threads_)
            if (t.joinable()) t.join();
    }
    int busy_answers() const { return busy_; }

  private:
    std::atomic<bool> stop_{false};
    std::atomic<int> busy_{0};
    std::vector<std::thread> threads_;
};

using WebBusyChecker = WebBehindTrustedProxy;

TEST_F(WebBusyChecker, ARefusalForABusyCheckerNeverLowersAFailureCount) {
    // alice's password is being guessed: one wrong guess so far (web.login_max_failures = 5).
    // Every guess comes from a new address, so only alice's own count can stop them.
    int address = 1;
    auto guess = [&] {
        return login("alice", "guess", {"198.51.100." + std::to_string(address++)});
    };
    ASSERT_EQ(guess().status, 401);

    // The attacker fills the password checker, then guesses while it is busy. The old broker
    // took a busy refusal as "not the user's fault" and erased alice's record.
    int counted = 1;
    bool refused_busy = false;
    {
        CheckerFlood flood(bastion->web_port(), origin(), 24);
        for (int i = 0; i < 200 && flood.busy_answers() == 0; ++i)
            std::this_thread::sleep_for(20ms);
        ASSERT_GT(flood.busy_answers(), 0) << "the flood never filled the password checker";
        while (!refused_busy && counted < 4) {
            auto r = guess();
            if (r.status == 503) {
                EXPECT_EQ(r.json().value("code", ""), "T_207") << r.describe();
                refused_busy = true;
            } else {
                ASSERT_EQ(r.status, 401) << r.describe();  // a slot was free: a counted guess
                ++counted;
            }
        }
    }
    ASSERT_TRUE(refused_busy) << "no guess met the busy checker";

    // The checker drains. Guesses up to the limit still count from where alice's count was...
    for (; counted < 5; ++counted) EXPECT_EQ(guess().status, 401);
    // ...so alice is locked out now, even with her right password and from anywhere.
    auto locked = login("alice", alice_password, {"198.51.100.200"});
    EXPECT_EQ(locked.status, 429) << locked.describe();
    EXPECT_EQ(locked.json().value("code", ""), "T_204");
    EXPECT_FALSE(locked.has("Set-Cookie"));

    // Positive control: bob's own right password does reset bob's count.
    for (int i = 0; i < 4; ++i) EXPECT_EQ(login("bob", "guess", {"192.0.2.1"}).status, 401);
    EXPECT_EQ(login("bob", bob_password, {"192.0.2.2"}).status, 200);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(login("bob", "guess", {"192.0.2.3"}).status, 401);
    EXPECT_EQ(login("bob", bob_password, {"192.0.2.4"}).status, 200);
}

// With the default (no trusted proxy) X-Forwarded-For is a header like any other.
class WebTrustingNoProxy : public WebTest {
  protected:
    bool plain() const override { return true; }
};

TEST_F(WebTrustingNoProxy, AForgedForwardedForDoesNotDodgeTheAddressLimit) {
    auto c = client();
    // Five guesses at five names, each "from" a new address: all from 127.0.0.1 in truth.
    for (int i = 0; i < 5; ++i) {
        auto r =
            c.post_json("/api/login", {{"user", "user" + std::to_string(i)}, {"password", "x"}},
                        forwarded(with_origin(), {"192.0.2." + std::to_string(i + 1)}));
        EXPECT_EQ(r.status, 401) << r.describe();
    }
    auto r = c.post_json("/api/login", {{"user", "bob"}, {"password", bob_password}},
                         forwarded(with_origin(), {"192.0.2.99"}));
    EXPECT_EQ(r.status, 429) << "the forged address was believed\n" << r.describe();
    EXPECT_EQ(r.json().value("code", ""), "T_204");
    // The log names the real peer, never the forged addresses.
    const std::string log = read_file(bastion->log_path());
    EXPECT_NE(log.find("from 127.0.0.1"), std::string::npos);
    EXPECT_EQ(log.find("192.0.2."), std::string::npos);
}

TEST_F(WebBehindTrustedProxy, TheRightMostUntrustedAddressAcrossAllLinesIsTheClient) {
    // The client forges a first X-Forwarded-For line (a new address each time); the proxy's
    // own line says 192.0.2.50. The old broker read the first line only.
    for (int i = 0; i < 5; ++i) {
        auto r = login("user" + std::to_string(i), "x",
                       {"203.0.113." + std::to_string(i + 1), "192.0.2.50, 127.0.0.1"});
        EXPECT_EQ(r.status, 401) << r.describe();
    }
    auto locked = login("bob", bob_password, {"203.0.113.99", "192.0.2.50"});
    EXPECT_EQ(locked.status, 429) << "a forged line was taken for the client\n"
                                  << locked.describe();
    // Positive control: another client behind the same proxy is not affected.
    auto other = login("bob", bob_password, {"203.0.113.99", "192.0.2.51"});
    EXPECT_EQ(other.status, 200) << other.describe();
    const std::string log = read_file(bastion->log_path());
    EXPECT_NE(log.find("web login: bob from 192.0.2.51"), std::string::npos) << log;
    EXPECT_EQ(log.find("from 203.0.113."), std::string::npos) << log;
}

// A login ends web.login_max_age after it was made, however busy it is kept.
class WebLoginMaxAge : public WebTest {
  protected:
    std::vector<std::string> broker_overrides() const override {
        return {"--web.login_max_age=5s", "--web.login_ttl=1h"};
    }
};

TEST_F(WebLoginMaxAge, AnOldLoginIsRefusedEvenWhenUsedRecently) {
    const std::string cookie = login_as_alice();
    const auto after = std::chrono::steady_clock::now();  // the login is at most this old
    auto c = client();
    auto socket = web_socket(cookie);
    ASSERT_TRUE(socket.open()) << socket.refusal().describe();
    // Used every half second for two seconds: never idle, and younger than its 5 s.
    while (std::chrono::steady_clock::now() - after < 2000ms) {
        ASSERT_EQ(c.get("/api/me", with_cookie(cookie)).status, 200);
        std::this_thread::sleep_for(500ms);
    }
    // Past its 5 s, however recently it was used.
    std::this_thread::sleep_until(after + 5500ms);
    auto old = c.get("/api/me", with_cookie(cookie));
    EXPECT_EQ(old.status, 401) << old.describe();
    EXPECT_EQ(old.json().value("code", ""), "T_205");
    // Its WebSocket was closed too.
    auto closed = socket.wait_closed(1500ms);
    ASSERT_TRUE(closed) << "the expired login's WebSocket is still open";
    EXPECT_EQ(closed->reason, "login expired");

    // Positive control: a fresh login works.
    const std::string fresh = login_as_alice();
    EXPECT_EQ(c.get("/api/me", with_cookie(fresh)).json().value("user", ""), "alice");
}

}  // namespace
}  // namespace tandem::test
