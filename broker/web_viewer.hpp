// A browser watching a shared session over WebSocket (docs/web-protocol.md): the web face of
// what ViewerPeer is for SSH joiners. The HTTP session hands over an upgrade request whose login
// and Origin it has already checked; from then on the viewer is one more Viewer of a
// LiveSession, with the same byte-bounded queue and snapshot resync.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <string>

#include "broker_context.hpp"
#include "open_web_sockets.hpp"
#include "session_registry.hpp"
#include "web_om_sessions.hpp"

namespace tandem::broker {

struct WebIdentity {
    std::string user;      // the logged-in user
    std::string from;      // client IP
    std::string login_id;  // the login session (LoginSessions::Login::id), never logged
};

// Takes over an authenticated upgrade request: accepts the WebSocket and serves one browser
// (docs/web-protocol.md): an invitee's viewer (first message `join`) or the creator's page of a
// web O&M session (first message `attach`). The HTTP session has already checked the login and
// Origin.
// The viewer holds `lease` while its connection lives and registers itself with it, so the
// web face can close it (logout, password change).
void start_web_viewer(boost::beast::tcp_stream stream,
                      boost::beast::http::request<boost::beast::http::string_body> request,
                      WebIdentity who, BrokerContext& ctx, SessionRegistry& registry,
                      WebOmSessions& om, std::shared_ptr<OpenWebSockets::Lease> lease = nullptr);
void start_web_viewer(boost::beast::ssl_stream<boost::beast::tcp_stream> stream,
                      boost::beast::http::request<boost::beast::http::string_body> request,
                      WebIdentity who, BrokerContext& ctx, SessionRegistry& registry,
                      WebOmSessions& om, std::shared_ptr<OpenWebSockets::Lease> lease = nullptr);

}  // namespace tandem::broker
