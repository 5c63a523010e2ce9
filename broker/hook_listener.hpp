// The broker's Unix socket. Only root or the broker's own user may connect (SO_PEERCRED):
// hooks run as the service user, and anyone else could otherwise register fake sessions.
#pragma once

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <string>

#include "session_registry.hpp"
#include "tandem/accept_backoff.hpp"
#include "tandem/rate_limited_log.hpp"

namespace tandem::broker {

class HookListener {
  public:
    HookListener(BrokerContext& ctx, SessionRegistry& registry, const std::string& path);
    ~HookListener();
    void start() { accept(); }
    void stop();
    bool listening() const { return acceptor_.is_open(); }

  private:
    void accept();

    BrokerContext& ctx_;
    SessionRegistry& registry_;
    std::string path_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    boost::asio::steady_timer retry_;  // waits out an accept failure (out of descriptors)
    AcceptBackoff backoff_{"broker: hook socket"};
    RateLimitedLog refusals_;  // another user hammering the socket logs a line a second
};

// True when the peer's uid is root or ours.
bool peer_is_trusted(int fd);

}  // namespace tandem::broker
