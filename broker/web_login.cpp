#include "web_login.hpp"

#include "tandem/log.hpp"
#include "tandem/password_hash.hpp"

namespace tandem::broker {
namespace {

constexpr std::size_t kMaxUserName = 256;  // longer than any real name; bounds throttle keys

bool is_json(const std::string& content_type) {
    const std::string_view type = std::string_view(content_type).substr(0, content_type.find(';'));
    return type == "application/json";
}

}  // namespace

WebLogin::WebLogin(BrokerContext& ctx, LoginSessions& logins, OpenWebSockets& sockets,
                   bool host_prefix)
    : ctx_(ctx),
      logins_(logins),
      sockets_(sockets),
      cookie_name_(std::string(host_prefix ? "__Host-" : "") + kLoginCookie),
      throttle_(ctx.config.web_login_max_failures, ctx.config.web_login_lockout),
      checker_(ctx.io) {}

std::string WebLogin::set_cookie(const std::string& value) const {
    return cookie_name_ + "=" + value + "; Path=/; HttpOnly; Secure; SameSite=Strict";
}

std::string WebLogin::clear_cookie() const {
    return cookie_name_ +
           "=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0; "
           "Expires=Thu, 01 Jan 1970 00:00:00 GMT";
}

void WebLogin::log_in(const WebRequest& request, Respond respond) {
    if (!is_json(request.content_type))
        return respond(text_response(415, "Send the login as application/json"));
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("user") ||
        !body.contains("password") || !body["user"].is_string() || !body["password"].is_string())
        return respond(text_response(400, "Expected {\"user\":\"...\",\"password\":\"...\"}"));
    const std::string user = body["user"].get<std::string>();
    std::string password = body["password"].get<std::string>();
    if (user.empty() || user.size() > kMaxUserName || password.empty() ||
        password.size() > kMaxPasswordLength) {
        ++ctx_.metrics.login_failures[std::string(error_info(ErrorCode::T_203_wrong_password).id)];
        return respond(error_response(401, ErrorCode::T_203_wrong_password));
    }

    const auto now = LoginThrottle::Clock::now();
    if (throttle_.locked(user, request.client, now)) {
        log::warn("web login refused (too many failures) from " + request.client);
        ++ctx_.metrics.login_failures[std::string(error_info(ErrorCode::T_204_login_throttled).id)];
        return respond(error_response(429, ErrorCode::T_204_login_throttled));
    }
    // Refused before anything is counted: a busy checker must neither cost the user an
    // attempt nor give one back (only the user's own success lowers a count).
    if (checker_.busy()) return respond(error_response(503, ErrorCode::T_207_login_checker_busy));
    throttle_.begin_attempt(user, request.client, now);
    // The store is read here, on the io thread; only the hash string travels to the worker.
    std::string hash;
    if (auto found = ctx_.store.find_user(user)) hash = found->password_hash;
    const std::string tag = hash.empty() ? std::string() : credential_tag(hash);
    const bool queued = checker_.check(std::move(password), std::move(hash),
                                       [this, user, client = request.client, tag, respond](
                                           bool ok) { finish(user, client, tag, ok, respond); });
    if (!queued)
        respond(
            error_response(503, ErrorCode::T_207_login_checker_busy));  // busy() said it had room
}

void WebLogin::finish(const std::string& user, const std::string& client, const std::string& tag,
                      bool ok, const Respond& respond) {
    try {
        if (!ok) {
            // The typed name may be a mistyped password: name it only when it is a real user.
            const bool known = !tag.empty();
            ++ctx_.metrics
                  .login_failures[std::string(error_info(ErrorCode::T_203_wrong_password).id)];
            log::warn("web login failed" + (known ? " for " + user : std::string()) + " from " +
                      client);
            return respond(error_response(401, ErrorCode::T_203_wrong_password));
        }
        throttle_.succeeded(user, client);
        // Said only after the right password: nobody learns from it who is disabled.
        if (user_disabled(user)) {
            log::warn("web login refused for " + user + " from " + client + ": user disabled");
            return respond(error_response(403, ErrorCode::T_209_user_disabled));
        }
        const std::string cookie = logins_.create(user, tag, LoginSessions::Clock::now());
        ctx_.audit(user, "web.login", client);
        log::info("web login: " + user + " from " + client);
        auto response = json_response(200, {{"ok", true}, {"user", user}});
        response.headers.emplace_back("Set-Cookie", set_cookie(cookie));
        respond(std::move(response));
    } catch (const std::exception& e) {
        log::error(std::string("web login: ") + e.what());
        respond(error_response(500, ErrorCode::T_103_internal));
    }
}

WebResponse WebLogin::log_out(const WebRequest& request, const std::string& user) {
    if (auto login = login_of(request)) {
        logins_.end_id(login->id);
        sockets_.close_login(login->id, "logged out");
    }
    ctx_.audit(user, "web.logout", request.client);
    auto response = json_response(200, {{"ok", true}});
    response.headers.emplace_back("Set-Cookie", clear_cookie());
    return response;
}

bool WebLogin::user_disabled(const std::string& name) const {
    const auto user = ctx_.store.find_user(name);
    return user && user->disabled;
}

// A disabled user's logins end like a changed password's.
bool WebLogin::credentials_current(const LoginSessions::Login& login) const {
    const auto user = ctx_.store.find_user(login.user);
    return user && !user->disabled && !user->password_hash.empty() &&
           credential_tag(user->password_hash) == login.credential_tag;
}

std::optional<LoginSessions::Login> WebLogin::login_of(const WebRequest& request) {
    const std::string cookie = cookie_value(request.cookie, cookie_name_);
    if (cookie.empty()) return std::nullopt;
    auto login = logins_.find(cookie, LoginSessions::Clock::now());
    if (!login) return std::nullopt;
    if (!credentials_current(*login)) {
        logins_.end_id(login->id);
        sockets_.close_login(login->id, "password changed");
        log::info("web login of " + login->user + " ended: user or password changed");
        return std::nullopt;
    }
    return login;
}

void WebLogin::recheck() {
    const auto now = LoginSessions::Clock::now();
    for (const auto& id : sockets_.logins()) {
        // An open viewer counts as use: a login watching a share does not go idle.
        auto login = logins_.find_id(id, now);
        if (!login) {
            sockets_.close_login(id, "login expired");
        } else if (!credentials_current(*login)) {
            logins_.end_id(id);
            sockets_.close_login(id, "password changed");
            log::info("web login of " + login->user + " ended: user or password changed");
        }
    }
}

}  // namespace tandem::broker
