#include "listen_socket.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "socket_address.hpp"
#include "tandem/errors.hpp"

namespace tandem::sshd {

ListenSocket::ListenSocket(const std::pair<std::string, std::uint16_t>& host_port) {
    const auto& [host, port] = host_port;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    const int gai =
        getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found);
    if (gai != 0)
        throw TandemError(ErrorCode::T_101_bad_config,
                          "ssh.listen " + host + ": " + std::string(gai_strerror(gai)));
    std::string last_error = "no address";
    for (addrinfo* ai = found; ai != nullptr && fd_ < 0; ai = ai->ai_next) {
        const int fd =
            socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        if (fd < 0) {
            last_error = std::strerror(errno);
            continue;
        }
        const int on = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 128) != 0) {
            last_error = std::strerror(errno);
            ::close(fd);
            continue;
        }
        fd_ = fd;
    }
    freeaddrinfo(found);
    if (fd_ < 0)
        throw TandemError(ErrorCode::T_101_bad_config,
                          "ssh.listen " + host + ":" + service + ": " + last_error);
    bound_ = format_endpoint(local_endpoint(fd_));
}

ListenSocket::~ListenSocket() {
    close();
}

void ListenSocket::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

}  // namespace tandem::sshd
