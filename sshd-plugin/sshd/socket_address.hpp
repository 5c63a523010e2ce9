// Numeric endpoints of a connected or listening socket, for logs, the startup line and the
// hook's SSH_CONNECTION / SSH_CLIENT.
#pragma once

#include <cstdint>
#include <string>

namespace tandem::sshd {

struct Endpoint {
    std::string ip;  // numeric, without brackets; "" when unknown
    std::uint16_t port = 0;
};

Endpoint local_endpoint(int fd);
Endpoint peer_endpoint(int fd);
// "127.0.0.1:22" / "[::1]:22"
std::string format_endpoint(const Endpoint& endpoint);

}  // namespace tandem::sshd
