#include "login_sessions.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>

#include "tandem/base64url.hpp"

namespace tandem::broker {
namespace {

constexpr std::size_t kCookieBytes = 32;
constexpr std::size_t kCookieChars = 43;  // base64url of 32 bytes, unpadded

std::string sha256(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed");
    return std::string(reinterpret_cast<const char*>(digest), len);
}

}  // namespace

LoginSessions::LoginSessions(std::chrono::seconds idle_ttl, std::chrono::seconds max_age,
                             std::size_t capacity)
    : idle_ttl_(idle_ttl), max_age_(max_age), capacity_(std::max<std::size_t>(capacity, 1)) {}

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
        sessions_.erase(oldest);
    }
    std::string cookie = random_base64url(kCookieBytes);
    const std::string id = sha256(cookie);
    sessions_[id] = Entry{{user, credential_tag, id}, now, now};
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
    if (it == sessions_.end()) return std::nullopt;
    if (expired(it->second, now)) {
        sessions_.erase(it);
        return std::nullopt;
    }
    it->second.last_used = now;
    return it->second.login;
}

void LoginSessions::end(std::string_view cookie) {
    if (cookie.size() != kCookieChars) return;
    sessions_.erase(sha256(cookie));
}

void LoginSessions::sweep(Clock::time_point now) {
    for (auto it = sessions_.begin(); it != sessions_.end();) {
        if (expired(it->second, now))
            it = sessions_.erase(it);
        else
            ++it;
    }
}

std::string credential_tag(const std::string& password_hash) {
    return base64url_encode(sha256(password_hash)).substr(0, 16);
}

}  // namespace tandem::broker
