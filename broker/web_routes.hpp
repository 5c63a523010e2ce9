// The web face's route table (docs/web.md). Public: /login, POST /api/login, /assets/<file>.
// Logged in: /hosts (Host Ops) and GET /api/hosts, POST /api/sessions (LogIn), /session (a web
// O&M session's page), /join and POST /api/invitation, /api/me, POST /api/logout, /ws.
// Admins and auditors: /live and GET /api/live, /recordings, GET /api/recordings and
// /api/recording?session=ID; admins: POST /api/live/terminate (others 403, T_230/T_231).
// Everything else needs a login: pages redirect anonymous visitors to /login?next=<path>,
// /api/* and /ws answer 401 with no data. Every POST and /ws must come from public_url's
// origin (403 T_206), checked on the request head before its body is read.
#pragma once

#include <optional>
#include <string>

#include "operator_roles.hpp"
#include "session_registry.hpp"
#include "static_assets.hpp"
#include "web_login.hpp"
#include "web_message.hpp"
#include "web_om_sessions.hpp"
#include "web_origin.hpp"

namespace tandem::broker {

inline constexpr std::size_t kMaxRequestBody = 4096;

class WebRoutes {
  public:
    WebRoutes(BrokerContext& ctx, SessionRegistry& registry, WebOmSessions& om, PublicOrigin origin,
              StaticAssets& assets, WebLogin& login);

    // The answer to a request head that must go no further (foreign or missing Origin on a
    // POST or the WebSocket path), or nullopt to read the body and handle() it.
    std::optional<WebResponse> screen_head(std::string_view method, std::string_view path,
                                           std::string_view origin) const;

    // Answers through respond, at once or later (a login is checked off the event loop).
    // Returns the login instead, without responding, for a WebSocket upgrade that may proceed
    // (the caller still takes its place in OpenWebSockets: T_208 past the user's cap).
    std::optional<LoginSessions::Login> handle(const WebRequest& request, const Respond& respond);

  private:
    std::optional<LoginSessions::Login> route(const WebRequest& request, const Respond& respond);
    WebResponse anonymous(const WebRequest& request) const;
    WebResponse page(const std::string& file) const;
    WebResponse asset(const std::string& name) const;
    void invitation(const WebRequest& request, const std::string& user,
                    const Respond& respond) const;
    // Host Ops: the user's granted accounts and their web sessions (web_host_ops.cpp).
    WebResponse host_ops(const LoginSessions::Login& login) const;
    // LogIn: {"account","cols","rows"} -> {"ok","session"} (web_host_ops.cpp).
    WebResponse open_web_session(const WebRequest& request, const LoginSessions::Login& login);

    // Live sessions and Recordings (web_operator.cpp).
    std::optional<WebResponse> refuse_operator(const std::string& user,
                                               OperatorAction action) const;
    nlohmann::json roles_of(const std::string& user) const;
    WebResponse live_sessions(const std::string& user) const;
    WebResponse terminate_live(const WebRequest& request, const std::string& user);
    WebResponse recordings(const std::string& user) const;
    WebResponse recording(const WebRequest& request, const std::string& user) const;

    BrokerContext& ctx_;
    SessionRegistry& registry_;
    WebOmSessions& om_;
    PublicOrigin origin_;
    StaticAssets& assets_;
    WebLogin& login_;
};

// "/join" -> "/login?next=%2Fjoin": where an anonymous visitor of a page is sent.
std::string login_redirect(std::string_view path);

}  // namespace tandem::broker
