// Server-side web login sessions. The browser holds only a random cookie value (32 bytes from
// the OS CSPRNG); the server keys its table by SHA-256 of that value, so a lookup's timing
// says nothing about the secret, and a memory dump holds no usable cookie. Sessions end after
// an idle period, a fixed time after the login however busy (max_age), on logout and when the
// user's password changes. With a store they also outlive the broker: each is written there
// (keyed by the digest, never the cookie) and found there by a broker that restarted.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tandem {
class Store;
}

namespace tandem::broker {

class LoginSessions {
  public:
    using Clock = std::chrono::steady_clock;

    // At most `capacity` sessions: a new login past it evicts the least recently used one.
    // With `store`, sessions persist there; a store error is logged and the session lives on
    // in memory (a busy store must not log everyone out).
    LoginSessions(std::chrono::seconds idle_ttl, std::chrono::seconds max_age,
                  std::size_t capacity = 10000, Store* store = nullptr);

    // A new session for `user`; returns the cookie value (base64url, 43 characters).
    // credential_tag identifies the password the user logged in with (see credential_tag()).
    std::string create(const std::string& user, const std::string& credential_tag,
                       Clock::time_point now);

    struct Login {
        std::string user;
        std::string credential_tag;
        std::string id;  // SHA-256 of the cookie: names the session server-side, never logged
    };
    // The session behind a cookie value, refreshing its idle timer; nullopt when unknown,
    // idle for longer than the TTL or older than max_age (then it is forgotten).
    std::optional<Login> find(std::string_view cookie, Clock::time_point now);
    // The same by Login::id (for what outlives a request, like an open WebSocket).
    std::optional<Login> find_id(const std::string& id, Clock::time_point now);

    // Forgets the session (logout, or a password change found by the caller).
    void end(std::string_view cookie);
    void end_id(const std::string& id);

    std::size_t size() const { return sessions_.size(); }

  private:
    struct Entry {
        Login login;
        Clock::time_point created;
        Clock::time_point last_used;
        Clock::time_point stored_use;  // last_used as the store has it
    };
    bool expired(const Entry& entry, Clock::time_point now) const;
    void sweep(Clock::time_point now);
    void forget(const std::string& id);  // memory and store
    // The store's session with this id (a previous broker's), or nullopt.
    std::optional<Login> load(const std::string& id, Clock::time_point now);
    void persist(const Entry& entry);

    std::chrono::seconds idle_ttl_;
    std::chrono::seconds max_age_;
    std::size_t capacity_;
    Store* store_;
    std::unordered_map<std::string, Entry> sessions_;  // SHA-256(cookie) -> session
};

// A short fingerprint of a stored password hash: a session made with one password stops
// working once the administrator sets another (or removes it).
std::string credential_tag(const std::string& password_hash);

}  // namespace tandem::broker
