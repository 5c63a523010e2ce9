// A stock OpenSSH sshd in front of a tandem instance, configured with the packaging snippet
// (packaging/sshd_config.d/tandem.conf): the drop-in mode as an administrator would set it up.
// It needs root (sshd, and the Unix logins `tandem` and `join`, created when absent with the
// same uid so both reach the store). The instance's files are handed to that uid.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "harness/bastion_instance.hpp"
#include "harness/pty_session.hpp"

namespace tandem::test {

class OpensshBastion {
  public:
    static constexpr const char* kServiceLogin = "tandem";
    static constexpr const char* kJoinLogin = "join";

    // Empty when the test can run here; otherwise why not (for GTEST_SKIP).
    static std::string unavailable_reason();

    // Points the instance's openssh.shell at the built tandem-shell, gives its directory to
    // the service uid, and starts /usr/sbin/sshd on a free loopback port in `dir`.
    OpensshBastion(BastionInstance& instance, std::string dir);
    ~OpensshBastion();
    OpensshBastion(const OpensshBastion&) = delete;
    OpensshBastion& operator=(const OpensshBastion&) = delete;

    std::uint16_t port() const { return port_; }
    // An ssh target through the stock sshd: LOGIN is kServiceLogin or kJoinLogin.
    SshTarget ssh(const std::string& login, const std::string& key,
                  const std::string& command = {}) const;
    // tandem-broker, run as the service uid (its socket is 0660 for that uid), with its web face
    // on a free loopback port serving a root-owned copy of the built web viewer.
    void start_broker();
    // The broker's web.public_url: https://127.0.0.1:PORT.
    std::string web_url() const { return "https://127.0.0.1:" + std::to_string(web_port_); }
    // sshd's log and the instance's diagnostics, for failure messages.
    std::string diagnostics() const;
    std::string sshd_log() const;

  private:
    void start_sshd();

    BastionInstance& instance_;
    std::string dir_;
    std::string bin_dir_;  // root-owned copies of tandem-keys and tandem-shell under /run
    std::uint16_t port_ = 0;
    pid_t sshd_pid_ = -1;
    pid_t broker_pid_ = -1;
    std::uint16_t web_port_ = 0;
};

}  // namespace tandem::test
