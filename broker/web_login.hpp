// POST /api/login and POST /api/logout: user name and password against the store's scrypt
// hash (checked off the event loop), failures throttled per user name and per address (T_204),
// success answered with a fresh login cookie that is HttpOnly, Secure and SameSite=Strict.
#pragma once

#include "broker_context.hpp"
#include "login_sessions.hpp"
#include "login_throttle.hpp"
#include "password_checker.hpp"
#include "web_message.hpp"

namespace tandem::broker {

class WebLogin {
  public:
    WebLogin(BrokerContext& ctx, LoginSessions& logins);

    // Answers through respond: now when refused at once, else after the password check.
    void log_in(const WebRequest& request, Respond respond);
    // Ends the login session named by the request's cookie (the caller checked it is valid).
    WebResponse log_out(const WebRequest& request, const std::string& user);

    // The user a request's login cookie names, or nullopt. A session is dropped when its user
    // was deleted or their password changed since it was made.
    std::optional<std::string> user_of(const WebRequest& request);

    void stop() { checker_.stop(); }

    // Set-Cookie values: a new login, and one that makes the browser forget it.
    static std::string set_cookie(const std::string& value);
    static std::string clear_cookie();

  private:
    void finish(const std::string& user, const std::string& client, const std::string& tag, bool ok,
                const Respond& respond);

    BrokerContext& ctx_;
    LoginSessions& logins_;
    LoginThrottle throttle_;
    PasswordChecker checker_;
};

}  // namespace tandem::broker
