// POST /api/login and POST /api/logout: user name and password against the store's scrypt
// hash (checked off the event loop), failures throttled per user name and per address (T_204),
// success answered with a fresh login cookie that is HttpOnly, Secure and SameSite=Strict, and
// named with the __Host- prefix when the public URL is https (no Domain, Path=/: the browser
// then refuses it from any other host or path). A logout, and a password change found by
// recheck(), also close the WebSockets opened under that login.
#pragma once

#include "broker_context.hpp"
#include "login_sessions.hpp"
#include "login_throttle.hpp"
#include "open_web_sockets.hpp"
#include "password_checker.hpp"
#include "web_message.hpp"

namespace tandem::broker {

class WebLogin {
  public:
    // host_prefix: name the cookie __Host-tandem_login (the public URL is https).
    WebLogin(BrokerContext& ctx, LoginSessions& logins, OpenWebSockets& sockets, bool host_prefix);

    // Answers through respond: now when refused at once, else after the password check.
    void log_in(const WebRequest& request, Respond respond);
    // Ends the login session named by the request's cookie (the caller checked it is valid)
    // and closes its WebSockets.
    WebResponse log_out(const WebRequest& request, const std::string& user);

    // The login a request's cookie names, or nullopt. A session is dropped when its user
    // was deleted or their password changed since it was made.
    std::optional<LoginSessions::Login> login_of(const WebRequest& request);

    // Closes the WebSockets of logins that ended meanwhile: expired, or their user's password
    // changed or was removed in the store. Called every half second.
    void recheck();

    void stop() { checker_.stop(); }

    // The login cookie's name, and the Set-Cookie values: a new login, and one that makes the
    // browser forget it.
    const std::string& cookie_name() const { return cookie_name_; }
    std::string set_cookie(const std::string& value) const;
    std::string clear_cookie() const;

  private:
    void finish(const std::string& user, const std::string& client, const std::string& tag, bool ok,
                const Respond& respond);
    // Whether the user still exists with the password this login was made with.
    bool credentials_current(const LoginSessions::Login& login) const;
    bool user_disabled(const std::string& name) const;

    BrokerContext& ctx_;
    LoginSessions& logins_;
    OpenWebSockets& sockets_;
    std::string cookie_name_;
    LoginThrottle throttle_;
    PasswordChecker checker_;
};

}  // namespace tandem::broker
