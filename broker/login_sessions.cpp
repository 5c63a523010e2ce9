#include "login_sessions.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "tandem/base64url.hpp"
#include "tandem/log.hpp"
#include "tandem/store.hpp"

namespace tandem::broker {
namespace {

constexpr std::size_t kCookieBytes = 32;
constexpr std::size_t kCookieChars = 43;  // base64url of 32 bytes, unpadded
// How stale the store's idle timer may be: one write per minute per busy login, not per request.
constexpr auto kTouchEvery = std::chrono::seconds(60);

using Clock = LoginSessions::Clock;

// The wall-clock time of a steady-clock instant (the store keeps Unix times).
UnixTime unix_at(Clock::time_point t) {
    return now_unix() + std::chrono::duration_cast<std::chrono::seconds>(t - Clock::now()).count();
}

Clock::time_point steady_at(UnixTime t) {
    return Clock::now() - std::chrono::seconds(now_unix() - t);
}

std::string sha256(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed");
    return std::string(reinterpret_cast<const char*>(digest), len);
}

}  // namespace

LoginSessions::LoginSessions(std::chrono::seconds idle_ttl, std::chrono::seconds max_age,
                             std::size_t capacity, Store* store)
    : idle_ttl_(idle_ttl),
      max_age_(max_age),
      capacity_(std::max<std::size_t>(capacity, 1)),
      store_(store) {}

bool LoginSessions::expired(const Entry& entry, Clock::time_point now) const {
    return now - entry.last_used > idle_ttl_ || now - entry.created > max_age_;
}

std::string LoginSessions::create(const std::string& user, const std::string& credential_tag,
                                  Clock::time_point now) {
    if (sessions_.size() >= capacity_) sweep(now);
    if (sessions_.size() >= capacity_) {
        auto oldest = std::min_element(
            sessions_.begin(), sessions_.end(),
            [](const auto& a, const auto& b) { return a.second.last_used < b.second.last_used; });
        forget(std::string(oldest->first));
    }
    std::string cookie = random_base64url(kCookieBytes);
    const std::string id = sha256(cookie);
    const auto& entry = sessions_[id] = Entry{{user, credential_tag, id}, now, now, now};
    persist(entry);
    return cookie;
}

std::optional<LoginSessions::Login> LoginSessions::find(std::string_view cookie,
                                                        Clock::time_point now) {
    if (cookie.size() != kCookieChars) return std::nullopt;
    return find_id(sha256(cookie), now);
}

std::optional<LoginSessions::Login> LoginSessions::find_id(const std::string& id,
                                                           Clock::time_point now) {
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return load(id, now);
    if (expired(it->second, now)) {
        forget(id);
        return std::nullopt;
    }
    Entry& entry = it->second;
    entry.last_used = now;
    if (store_ && now - entry.stored_use >= kTouchEvery) {
        try {
            store_->touch_web_login(base64url_encode(id), unix_at(now));
            entry.stored_use = now;
        } catch (const std::exception& e) {
            log::warn(std::string("cannot record a web login's use: ") + e.what());
        }
    }
    return entry.login;
}

std::optional<LoginSessions::Login> LoginSessions::load(const std::string& id,
                                                        Clock::time_point now) {
    if (!store_) return std::nullopt;
    std::optional<WebLoginRecord> record;
    try {
        record = store_->find_web_login(base64url_encode(id));
    } catch (const std::exception& e) {
        log::warn(std::string("cannot read web logins: ") + e.what());
        return std::nullopt;
    }
    if (!record) return std::nullopt;
    const auto last_used = steady_at(record->last_used_at);
    Entry entry{{record->user_name, record->credential_tag, id},
                steady_at(record->created_at),
                last_used,
                last_used};
    if (expired(entry, now)) {
        forget(id);
        return std::nullopt;
    }
    if (sessions_.size() >= capacity_) sweep(now);
    if (sessions_.size() >= capacity_) return std::nullopt;
    return sessions_.emplace(id, std::move(entry)).first->second.login;
}

void LoginSessions::persist(const Entry& entry) {
    if (!store_) return;
    try {
        const auto now = Clock::now();
        // Now and then, rows a browser abandoned go (a login that is never used again).
        store_->delete_stale_web_logins(unix_at(now - idle_ttl_), unix_at(now - max_age_));
        store_->save_web_login({base64url_encode(entry.login.id), entry.login.user,
                                entry.login.credential_tag, unix_at(entry.created),
                                unix_at(entry.last_used)});
    } catch (const std::exception& e) {
        log::warn(std::string("cannot record a web login (it ends with this broker): ") + e.what());
    }
}

void LoginSessions::forget(const std::string& id) {
    sessions_.erase(id);
    if (!store_) return;
    try {
        store_->delete_web_login(base64url_encode(id));
    } catch (const std::exception& e) {
        log::warn(std::string("cannot forget a web login: ") + e.what());
    }
}

void LoginSessions::end(std::string_view cookie) {
    if (cookie.size() != kCookieChars) return;
    forget(sha256(cookie));
}

void LoginSessions::end_id(const std::string& id) {
    forget(id);
}

void LoginSessions::sweep(Clock::time_point now) {
    std::vector<std::string> stale;
    for (const auto& [id, entry] : sessions_)
        if (expired(entry, now)) stale.push_back(id);
    for (const auto& id : stale) forget(id);
}

std::string credential_tag(const std::string& password_hash) {
    return base64url_encode(sha256(password_hash)).substr(0, 16);
}

}  // namespace tandem::broker
