// The TCP socket tandem-sshd listens on. Ours rather than ssh_bind_listen's so port 0 (pick a
// free port), SO_REUSEADDR, close-on-exec and nonblocking accept are under our control.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace tandem::sshd {

class ListenSocket {
  public:
    // Binds host:port (numeric host, or a name resolved once). Throws TandemError(T_101).
    explicit ListenSocket(const std::pair<std::string, std::uint16_t>& host_port);
    ListenSocket(const ListenSocket&) = delete;
    ListenSocket& operator=(const ListenSocket&) = delete;
    ~ListenSocket();

    int fd() const { return fd_; }
    // "127.0.0.1:40123" or "[::1]:40123": the address actually bound.
    const std::string& bound_address() const { return bound_; }
    void close();

  private:
    int fd_ = -1;
    std::string bound_;
};

}  // namespace tandem::sshd
