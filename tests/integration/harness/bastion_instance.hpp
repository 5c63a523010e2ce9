// A fresh tandem instance: `tandem-admin init --dir DIR`, then `tandem-sshd` on a free
// loopback port, and on request `tandem-broker` on the instance's socket (DIR/broker.sock).
// Helpers register users (with generated keys), hosts, accounts and grants through the real
// admin CLI. The destructor stops tandem-sshd, the broker and everything they spawned.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "harness/managed_host.hpp"
#include "harness/process.hpp"
#include "harness/pty_session.hpp"

namespace tandem::test {

// The web viewer's assets as the build assembles them (<build>/webview).
std::string built_webview_dir();

class BastionInstance {
  public:
    // Initialises DIR (`tandem-admin init` with init_overrides, written to its config) and
    // starts tandem-sshd with these extra --section.key=value overrides.
    explicit BastionInstance(std::string dir, std::vector<std::string> sshd_overrides = {},
                             std::vector<std::string> init_overrides = {});
    ~BastionInstance();
    BastionInstance(const BastionInstance&) = delete;
    BastionInstance& operator=(const BastionInstance&) = delete;

    std::uint16_t port() const { return port_; }
    const std::string& dir() const { return dir_; }
    std::string config_path() const { return dir_ + "/tandem.conf"; }
    std::string recordings_dir() const { return dir_ + "/recordings"; }
    pid_t sshd_pid() const { return sshd_pid_; }
    std::string broker_socket() const { return dir_ + "/broker.sock"; }
    std::string log_path() const { return dir_ + "/tandem.log"; }

    // tandem-broker (defined in bastion_broker.cpp). start_broker waits for its "listening on"
    // line; the overrides are remembered for restart_broker. stop_broker sends SIGTERM and
    // waits; kill_broker sends SIGKILL (a crash: nothing is cleaned up) and reaps it.
    void start_broker(std::vector<std::string> overrides = {});
    void stop_broker();
    void kill_broker();
    void restart_broker() { start_broker(broker_overrides_); }
    bool broker_running() const { return broker_pid_ > 0; }
    pid_t broker_pid() const { return broker_pid_; }

    // tandem-broker with its web face (defined in bastion_web.cpp) on a free loopback port:
    // web.listen and web.public_url (https://127.0.0.1:PORT, http:// when plain) name the same
    // port, so invite URLs and Origin checks match what a client reaches. web.assets is
    // assets_dir, or the build's webview/ when empty. restart_broker keeps the port.
    void start_broker_with_web(const std::string& assets_dir = {}, bool plain = false,
                               std::vector<std::string> overrides = {});
    std::uint16_t web_port() const { return web_port_; }
    // web.public_url, which is also the Origin the web face accepts.
    std::string web_url() const;
    std::string tls_cert_path() const { return dir_ + "/tls.crt"; }

    // `tandem-admin --config DIR/tandem.conf ARGS...`.
    CommandResult admin(const std::vector<std::string>& args, const std::string& stdin_data = {});
    // Same, failing the test unless it exits 0.
    CommandResult admin_ok(const std::vector<std::string>& args);

    // A new ed25519 key pair (DIR/keys/NAME, NAME.pub); returns the private key path.
    std::string generate_key(const std::string& name);
    // Adds the user with a fresh key; returns the private key path.
    std::string add_user(const std::string& name);
    // Registers the managed host as NAME with its real host key (or a pinned one) and adds
    // the account LOGIN@NAME with the host's account key. Returns "LOGIN@NAME".
    std::string add_host_account(const std::string& name, const ManagedHost& host,
                                 const std::string& pinned_key_file = {});
    void grant(const std::string& user, const std::string& account);
    void revoke(const std::string& user, const std::string& account);

    // An ssh target for this bastion as USER with KEY, optionally naming a direct command.
    SshTarget ssh(const std::string& user, const std::string& key,
                  const std::string& command = {}) const;

    // tandem-sshd's own output and the instance log, for failure messages.
    std::string diagnostics() const;
    // Processes tandem-sshd has running (sessions in progress, or leaks once all are closed).
    std::vector<pid_t> sshd_descendants() const;
    // Sends tandem-sshd `signal` (SIGTERM: an orderly stop; SIGKILL: a crash), reaps it, and
    // starts a new one on the same port. The old one's connections go on on their own; the
    // destructor ends whatever of them is left.
    void restart_sshd(int signal);

  private:
    void start_sshd(const std::vector<std::string>& overrides);

    std::string dir_;
    std::uint16_t port_ = 0;
    pid_t sshd_pid_ = -1;
    pid_t broker_pid_ = -1;
    std::vector<std::string> sshd_overrides_;
    std::vector<pid_t> orphaned_connections_;  // of a tandem-sshd that was restarted
    std::vector<std::string> broker_overrides_;
    std::uint16_t web_port_ = 0;
    bool web_plain_ = false;
};

}  // namespace tandem::test
