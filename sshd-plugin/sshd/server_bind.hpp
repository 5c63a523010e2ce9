// The libssh bind: host key and algorithm restrictions shared by every connection. Built once in
// the listening process (so a bad host key fails at startup); each connection child copies the
// settings into its session with ssh_bind_accept_fd.
#pragma once

#include <libssh/server.h>
#include <string>

namespace tandem::sshd {

class ServerBind {
  public:
    // Throws TandemError(T_101) when the host key cannot be loaded or an option is refused.
    explicit ServerBind(const std::string& host_key_path);
    ServerBind(const ServerBind&) = delete;
    ServerBind& operator=(const ServerBind&) = delete;
    ~ServerBind();

    ssh_bind get() const { return bind_; }
    // Frees the bind (and its copy of the private key) early, e.g. in a connection child once
    // the session holds its own copy.
    void release();

  private:
    ssh_bind bind_ = nullptr;
};

}  // namespace tandem::sshd
