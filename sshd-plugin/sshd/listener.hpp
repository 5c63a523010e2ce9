// The listening process: accepts connections and forks one child per connection (which runs
// the whole SSH protocol; the listener never does). Reaps children through a signalfd, caps
// them at ssh.max_connections, drops new connections past ssh.max_startups /
// ssh.per_source_max_startups unauthenticated ones (each child reports its authentication over
// a pipe), backs off when accept fails, and on SIGTERM/SIGINT stops accepting and exits while
// the children keep their sessions.
#pragma once

#include <chrono>
#include <optional>
#include <random>

#include "channel_session.hpp"
#include "listen_socket.hpp"
#include "server_bind.hpp"
#include "socket_address.hpp"
#include "startup_gate.hpp"
#include "tandem/accept_backoff.hpp"
#include "tandem/config.hpp"
#include "tandem/rate_limited_log.hpp"

namespace tandem::sshd {

class Listener {
  public:
    // Loads the host key and binds ssh.listen. Throws TandemError(T_101).
    Listener(const Config& config, HookSettings hook);
    // Prints "tandem-sshd listening on HOST:PORT" and serves until SIGTERM/SIGINT.
    int run();

  private:
    void accept_pending();
    void reap_children();
    void start_connection(int fd, const Endpoint& peer);

    const Config& config_;
    HookSettings hook_;
    ServerBind bind_;
    ListenSocket socket_;
    int signal_fd_ = -1;
    int children_ = 0;
    StartupGate gate_;
    std::mt19937 random_{std::random_device{}()};  // the early drop's dice
    AcceptBackoff backoff_{"listener"};
    // fd exhaustion and the like: accept again from then on
    std::optional<std::chrono::steady_clock::time_point> accept_paused_until_;
    RateLimitedLog refusal_log_;  // a flood of refused connections is a line a second
};

}  // namespace tandem::sshd
