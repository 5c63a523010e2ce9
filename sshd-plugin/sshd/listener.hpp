// The listening process: accepts connections and forks one child per connection (which runs
// the whole SSH protocol; the listener never does). Reaps children through a signalfd, caps
// them at ssh.max_connections, and on SIGTERM/SIGINT stops accepting and exits while the
// children keep their sessions.
#pragma once

#include "channel_session.hpp"
#include "listen_socket.hpp"
#include "server_bind.hpp"
#include "tandem/config.hpp"

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
    void start_connection(int fd);

    const Config& config_;
    HookSettings hook_;
    ServerBind bind_;
    ListenSocket socket_;
    int signal_fd_ = -1;
    int children_ = 0;
    bool accept_paused_ = false;  // fd exhaustion: retry accept after a short pause
};

}  // namespace tandem::sshd
