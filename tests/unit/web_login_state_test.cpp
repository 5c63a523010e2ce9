// The web face's login state: LoginThrottle (T_204 per user name and per address) and
// LoginSessions (random cookies, SHA-256-keyed table, idle expiry, logout, capacity).
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "login_sessions.hpp"
#include "login_throttle.hpp"

namespace tandem::broker {
namespace {

using namespace std::chrono_literals;
using Clock = LoginThrottle::Clock;

TEST(LoginThrottle, LocksAUserNameAfterMaxFailuresFromAnyAddress) {
    LoginThrottle t(3, 300s);
    const auto t0 = Clock::now();
    EXPECT_TRUE(t.begin_attempt("alice", "10.0.0.1", t0));
    EXPECT_TRUE(t.begin_attempt("alice", "10.0.0.2", t0 + 1s));
    EXPECT_TRUE(t.begin_attempt("alice", "10.0.0.3", t0 + 2s));
    // Three failures: alice is refused from a fresh address, bob is not.
    EXPECT_FALSE(t.begin_attempt("alice", "10.0.0.9", t0 + 3s));
    EXPECT_TRUE(t.locked("alice", "10.0.0.9", t0 + 3s));
    EXPECT_TRUE(t.begin_attempt("bob", "10.0.0.9", t0 + 3s));
    // For one window after the last counted failure, then free again.
    EXPECT_FALSE(t.begin_attempt("alice", "10.0.0.8", t0 + 2s + 299s));
    EXPECT_TRUE(t.begin_attempt("alice", "10.0.0.8", t0 + 2s + 300s));
}

TEST(LoginThrottle, LocksAnAddressAfterMaxFailuresForAnyName) {
    LoginThrottle t(3, 60s);
    const auto t0 = Clock::now();
    for (int i = 0; i < 3; ++i)
        EXPECT_TRUE(t.begin_attempt("user" + std::to_string(i), "10.0.0.1", t0));
    EXPECT_FALSE(t.begin_attempt("bob", "10.0.0.1", t0 + 1s));
    EXPECT_TRUE(t.begin_attempt("bob", "10.0.0.2", t0 + 1s));
}

TEST(LoginThrottle, FailuresOutsideTheWindowDoNotAddUp) {
    LoginThrottle t(3, 60s);
    const auto t0 = Clock::now();
    EXPECT_TRUE(t.begin_attempt("alice", "a", t0));
    EXPECT_TRUE(t.begin_attempt("alice", "a", t0 + 10s));
    // A new window starts: the old two no longer count.
    EXPECT_TRUE(t.begin_attempt("alice", "a", t0 + 61s));
    EXPECT_TRUE(t.begin_attempt("alice", "a", t0 + 62s));
    EXPECT_FALSE(t.locked("alice", "a", t0 + 62s));
    EXPECT_TRUE(t.begin_attempt("alice", "a", t0 + 63s));
    EXPECT_TRUE(t.locked("alice", "a", t0 + 63s));
}

TEST(LoginThrottle, SuccessForgivesTheUserAndTheAttemptNotTheAddressesOtherFailures) {
    LoginThrottle t(3, 60s);
    const auto t0 = Clock::now();
    EXPECT_TRUE(t.begin_attempt("mallory1", "a", t0));
    EXPECT_TRUE(t.begin_attempt("alice", "a", t0));
    EXPECT_TRUE(t.begin_attempt("alice", "a", t0));
    t.succeeded("alice", "a");  // the third attempt was right
    EXPECT_FALSE(t.locked("alice", "a", t0));
    // alice's count is gone; the address still holds two failures (mallory1's and alice's).
    EXPECT_TRUE(t.begin_attempt("mallory2", "a", t0));
    EXPECT_TRUE(t.locked("x", "a", t0));
    EXPECT_FALSE(t.locked("alice", "b", t0));
}

TEST(LoginThrottle, TheAttemptThatReachesTheLimitIsForgivenWhenRight) {
    LoginThrottle t(2, 60s);
    const auto t0 = Clock::now();
    EXPECT_TRUE(t.begin_attempt("alice", "a", t0));
    EXPECT_TRUE(t.begin_attempt("alice", "a", t0));  // counted up front: locks...
    t.succeeded("alice", "a");                       // ...until it turns out right
    EXPECT_FALSE(t.locked("alice", "a", t0));
}

TEST(LoginThrottle, NothingButTheUsersOwnSuccessLowersTheirCount) {
    LoginThrottle t(3, 60s);
    const auto t0 = Clock::now();
    EXPECT_TRUE(t.begin_attempt("alice", "a", t0));
    EXPECT_TRUE(t.begin_attempt("alice", "b", t0));
    EXPECT_TRUE(t.begin_attempt("alice", "c", t0));
    // Other users' successes, from any of those addresses, do not lift alice's lockout.
    t.succeeded("bob", "a");
    t.succeeded("bob", "c");
    EXPECT_TRUE(t.locked("alice", "d", t0 + 1s));
    EXPECT_FALSE(t.begin_attempt("alice", "d", t0 + 1s));
    // It ends when it expires...
    EXPECT_TRUE(t.begin_attempt("alice", "d", t0 + 61s));
    // ...or, with a right password, at alice's own success.
    t.succeeded("alice", "d");
    EXPECT_FALSE(t.locked("alice", "e", t0 + 61s));
}

TEST(LoginThrottle, ParallelGuessesCannotOutrunTheCount) {
    LoginThrottle t(5, 60s);
    const auto t0 = Clock::now();
    int admitted = 0;
    for (int i = 0; i < 50; ++i) admitted += t.begin_attempt("alice", "a", t0) ? 1 : 0;
    EXPECT_EQ(admitted, 5);
}

TEST(LoginThrottle, StaysBoundedUnderAFloodOfNames) {
    LoginThrottle t(3, 60s, 100);
    const auto t0 = Clock::now();
    for (int i = 0; i < 1000; ++i)
        t.begin_attempt("name" + std::to_string(i), "addr" + std::to_string(i), t0);
    // A locked-out address is still locked after the flood went by it (it was the newest).
    for (int i = 0; i < 3; ++i) t.begin_attempt("u", "attacker", t0 + 1s);
    EXPECT_TRUE(t.locked("v", "attacker", t0 + 1s));
}

TEST(LoginSessions, CookiesAreRandom43CharacterBase64url) {
    LoginSessions s(3600s, 86400s);
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        const auto cookie = s.create("alice", "tag", Clock::now());
        EXPECT_TRUE(std::regex_match(cookie, std::regex("[A-Za-z0-9_-]{43}"))) << cookie;
        seen.insert(cookie);
    }
    EXPECT_EQ(seen.size(), 100u);
    EXPECT_EQ(s.size(), 100u);
}

TEST(LoginSessions, FindsTheUserAndExpiresWhenIdle) {
    LoginSessions s(600s, 86400s);
    const auto t0 = Clock::now();
    const auto cookie = s.create("alice", "tag-a", t0);
    auto found = s.find(cookie, t0 + 500s);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->user, "alice");
    EXPECT_EQ(found->credential_tag, "tag-a");
    // Use refreshes the idle timer...
    EXPECT_TRUE(s.find(cookie, t0 + 1000s));
    // ...and idleness beyond the TTL ends the session for good.
    EXPECT_FALSE(s.find(cookie, t0 + 1601s));
    EXPECT_FALSE(s.find(cookie, t0 + 1602s));
    EXPECT_EQ(s.size(), 0u);
}

TEST(LoginSessions, ALoginEndsAtItsMaximumAgeHoweverBusy) {
    LoginSessions s(600s, 3600s);
    const auto t0 = Clock::now();
    const auto old = s.create("alice", "t", t0);
    const auto id = s.find(old, t0)->id;
    // Used every few minutes, never idle for long...
    for (auto t = t0; t < t0 + 3600s; t += 300s) ASSERT_TRUE(s.find(old, t));
    EXPECT_TRUE(s.find_id(id, t0 + 3600s));
    // ...and still over at max_age, by cookie and by id alike.
    EXPECT_FALSE(s.find(old, t0 + 3601s));
    EXPECT_FALSE(s.find_id(id, t0 + 3601s));
    // Positive control: a login made later lives its own hour.
    const auto fresh = s.create("alice", "t", t0 + 3500s);
    const auto found = s.find(fresh, t0 + 3601s);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->user, "alice");
}

TEST(LoginSessions, LogoutEndsOnlyThatSession) {
    LoginSessions s(600s, 86400s);
    const auto t0 = Clock::now();
    const auto one = s.create("alice", "t", t0);
    const auto two = s.create("alice", "t", t0);
    s.end(one);
    EXPECT_FALSE(s.find(one, t0));
    EXPECT_TRUE(s.find(two, t0));
}

TEST(LoginSessions, UnknownOrMalformedCookiesFindNothing) {
    LoginSessions s(600s, 86400s);
    const auto t0 = Clock::now();
    const auto cookie = s.create("alice", "t", t0);
    EXPECT_FALSE(s.find("", t0));
    EXPECT_FALSE(s.find(cookie.substr(1), t0));
    EXPECT_FALSE(s.find(cookie + "A", t0));
    std::string other = cookie;
    other[0] = other[0] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(s.find(other, t0));
    s.end(other);  // ending an unknown session is harmless
    EXPECT_TRUE(s.find(cookie, t0));
}

TEST(LoginSessions, AtCapacityTheLeastRecentlyUsedSessionGoes) {
    LoginSessions s(600s, 86400s, 3);
    const auto t0 = Clock::now();
    const auto a = s.create("a", "t", t0);
    const auto b = s.create("b", "t", t0 + 1s);
    const auto c = s.create("c", "t", t0 + 2s);
    EXPECT_TRUE(s.find(a, t0 + 3s));  // a is used again: b is now the oldest
    const auto d = s.create("d", "t", t0 + 4s);
    EXPECT_EQ(s.size(), 3u);
    EXPECT_TRUE(s.find(a, t0 + 5s));
    EXPECT_FALSE(s.find(b, t0 + 5s));
    EXPECT_TRUE(s.find(c, t0 + 5s));
    EXPECT_TRUE(s.find(d, t0 + 5s));
}

TEST(LoginSessions, CredentialTagChangesWithThePasswordHash) {
    EXPECT_EQ(credential_tag("$scrypt$a"), credential_tag("$scrypt$a"));
    EXPECT_NE(credential_tag("$scrypt$a"), credential_tag("$scrypt$b"));
    EXPECT_EQ(credential_tag("$scrypt$a").find("$scrypt"), std::string::npos);
}

}  // namespace
}  // namespace tandem::broker
