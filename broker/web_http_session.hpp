// One browser connection to the web face (the http_session of Beast 1.74's advanced server):
// TLS handshake when enabled, then requests read one at a time — head first (size-limited,
// Origin screened), then a bounded body — each answered before the next is read. A WebSocket
// upgrade that passes the routes is handed to start_web_viewer (web_viewer.hpp).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "client_address.hpp"
#include "open_web_sockets.hpp"
#include "session_registry.hpp"
#include "web_headers.hpp"
#include "web_routes.hpp"

namespace tandem::broker {

struct WebServices {
    BrokerContext& ctx;
    SessionRegistry& registry;
    WebRoutes& routes;
    const SecurityHeaders& headers;
    boost::asio::ssl::context* tls;  // nullptr: plain HTTP (web.plain_http)
    OpenWebSockets& sockets;
    const TrustedProxies& proxies;  // web.trusted_proxies
    WebOmSessions& om;              // the creators' web O&M sessions
};

// Serves the connection until it closes. `slot` is released when the connection ends (a
// WebSocket viewer keeps it), so the listener can bound concurrent connections.
void serve_web_connection(boost::asio::ip::tcp::socket socket, WebServices& services,
                          std::shared_ptr<void> slot);

}  // namespace tandem::broker
