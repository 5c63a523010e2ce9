// The SSH connection from the bastion to a managed host (libssh client mode): connect with a
// timeout, verify the host key against the store's pinned key (never known_hosts), log in
// with the account's credential, open a session channel with a PTY and a shell.
// Every failure is a TandemError with the T_5xx code the user sees.
#pragma once

#include <libssh/libssh.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "tandem/store.hpp"

namespace tandem {

struct TargetSpec {
    std::string address;
    std::uint16_t port = 22;
    std::string host_key_type;    // pinned key, as stored ("ssh-ed25519", ...)
    std::string host_key_base64;  // pinned key blob
    std::string login;
    CredentialKind credential_kind = CredentialKind::private_key;
    std::string credential;  // private key text or password; never logged
    std::chrono::seconds connect_timeout{10};
};

struct TerminalRequest {
    bool pty = true;  // false: no PTY (the client gave none), the shell reads stdin as a script
    std::string term = "xterm";
    int rows = 24;
    int cols = 80;
};

class TargetConnection {
  public:
    // Blocks until the shell runs (each step bounded by connect_timeout), then switches the
    // session to nonblocking mode for the relay. Throws TandemError(T_501..T_506, detail).
    TargetConnection(const TargetSpec& spec, const TerminalRequest& terminal);
    ~TargetConnection();
    TargetConnection(const TargetConnection&) = delete;
    TargetConnection& operator=(const TargetConnection&) = delete;

    ssh_session session() const { return session_; }
    ssh_channel channel() const { return channel_; }
    int fd() const { return ssh_get_fd(session_); }

    // Ends the connection without waiting for the host (it may be frozen).
    void close();

  private:
    void connect(const TargetSpec& spec);
    void verify_host_key(const TargetSpec& spec);
    void authenticate(const TargetSpec& spec);
    void open_shell(const TerminalRequest& terminal);

    ssh_session session_ = nullptr;
    ssh_channel channel_ = nullptr;
};

// The host key algorithms to offer so the host presents the pinned key type
// ("ssh-rsa" -> "rsa-sha2-512,rsa-sha2-256,ssh-rsa").
std::string host_key_algorithms_for(const std::string& key_type);

// A TERM value safe to forward: printable, short; "xterm" otherwise.
std::string sanitize_term(const char* term);

}  // namespace tandem
