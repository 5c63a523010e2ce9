// One client connection, run in its own forked process: key exchange, public-key
// authentication bounded by ssh.login_grace_time and ssh.max_auth_tries, then one session
// channel relayed to the hook. Everything is driven by a single ssh_event loop.
#pragma once

#include "channel_session.hpp"
#include "server_bind.hpp"
#include "tandem/config.hpp"

namespace tandem::sshd {

// Serves the accepted socket fd to the end; returns the process exit code. Never throws.
// auth_report_fd: written to (a byte) and closed once the client authenticated, which tells
// the listener this connection no longer counts against ssh.max_startups.
int serve_connection(const Config& config, const HookSettings& hook, ServerBind& bind, int fd,
                     int auth_report_fd);

}  // namespace tandem::sshd
