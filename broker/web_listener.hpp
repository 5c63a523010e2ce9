// The web face's TCP acceptor (web.listen): TLS with web.tls_cert/web.tls_key, or plain HTTP
// when web.plain_http is set for a TLS-terminating proxy. Owns what every web connection
// shares — routes, login sessions, throttle, password checker, open WebSockets — on the
// broker's io thread. Every connection, WebSockets included, counts towards one cap.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <optional>
#include <string>

#include "client_address.hpp"
#include "login_sessions.hpp"
#include "open_web_sockets.hpp"
#include "session_registry.hpp"
#include "static_assets.hpp"
#include "tcp_listener.hpp"
#include "web_headers.hpp"
#include "web_http_session.hpp"
#include "web_login.hpp"
#include "web_routes.hpp"

namespace tandem::broker {

class WebListener {
  public:
    // Binds web.listen and loads the TLS certificate. Throws TandemError(T_101) when the
    // address, public_url or certificate is unusable.
    WebListener(BrokerContext& ctx, SessionRegistry& registry, WebOmSessions& om);
    ~WebListener();
    WebListener(const WebListener&) = delete;
    WebListener& operator=(const WebListener&) = delete;

    void start() {
        listener_.start();
        recheck_logins();
    }
    // Stops accepting and stops the password worker; open connections end with the io loop.
    void stop();
    bool listening() const { return listener_.listening(); }

    // "https://127.0.0.1:8443": where the listener really is (the port when 0 was asked for).
    std::string bound_url() const;

  private:
    // Every half second: WebSockets of logins that ended (password changed, expired) close.
    void recheck_logins();

    BrokerContext& ctx_;
    PublicOrigin origin_;
    TrustedProxies proxies_;
    SecurityHeaders headers_;
    StaticAssets assets_;
    LoginSessions logins_;
    OpenWebSockets sockets_;
    WebLogin login_;
    WebRoutes routes_;
    std::optional<boost::asio::ssl::context> tls_;
    WebServices services_;
    // Past web.max_connections (HTTP and WebSocket alike) new connections are closed at once.
    TcpListener listener_;
    boost::asio::steady_timer recheck_;
};

}  // namespace tandem::broker
