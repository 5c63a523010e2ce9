#include "socket_address.hpp"

#include <netdb.h>
#include <sys/socket.h>

namespace tandem::sshd {
namespace {

Endpoint to_endpoint(const sockaddr_storage& address, socklen_t length) {
    char host[NI_MAXHOST] = {};
    char service[NI_MAXSERV] = {};
    Endpoint out;
    if (getnameinfo(reinterpret_cast<const sockaddr*>(&address), length, host, sizeof host, service,
                    sizeof service, NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
        out.ip = host;
        out.port = static_cast<std::uint16_t>(std::stoul(service));
    }
    // An IPv4 client on a dual-stack socket: show it as IPv4, as OpenSSH does.
    if (out.ip.rfind("::ffff:", 0) == 0 && out.ip.find('.') != std::string::npos)
        out.ip = out.ip.substr(7);
    return out;
}

}  // namespace

Endpoint local_endpoint(int fd) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return {};
    return to_endpoint(address, length);
}

Endpoint peer_endpoint(int fd) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return {};
    return to_endpoint(address, length);
}

std::string format_endpoint(const Endpoint& endpoint) {
    const bool v6 = endpoint.ip.find(':') != std::string::npos;
    return (v6 ? "[" + endpoint.ip + "]" : endpoint.ip) + ":" + std::to_string(endpoint.port);
}

}  // namespace tandem::sshd
