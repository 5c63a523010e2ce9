// A throwaway managed host: a real OpenSSH sshd on a free loopback port, driven through
// scripts/managed-host.sh (the one implementation shared with the demo and benchmarks).
// Its login is the current Unix user, authenticated by account_key().
#pragma once

#include <cstdint>
#include <string>

namespace tandem::test {

class ManagedHost {
  public:
    explicit ManagedHost(std::string dir);  // starts the host
    ~ManagedHost();                         // stops the listener and every session
    ManagedHost(const ManagedHost&) = delete;
    ManagedHost& operator=(const ManagedHost&) = delete;

    std::uint16_t port() const { return port_; }
    const std::string& dir() const { return dir_; }
    std::string login() const;            // current Unix user
    std::string account_key() const;      // private key of login
    std::string host_public_key() const;  // ssh_host_ed25519_key.pub
    std::string log() const;              // sshd.log (for failure messages)

    void stop();    // host down: listener and sessions gone (idempotent)
    void freeze();  // SIGSTOP the whole sshd tree: TCP stays up, nothing answers
    void thaw();
    bool running() const { return running_; }

  private:
    void script(const std::string& verb);

    std::string dir_;
    std::uint16_t port_ = 0;
    bool running_ = false;
    bool frozen_ = false;
};

}  // namespace tandem::test
