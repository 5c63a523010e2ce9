// The two ways people reach a bastion (docs/openssh-mode.md): tandem's own `tandem-sshd`, a stock
// OpenSSH sshd with the packaging snippet (drop-in mode). They differ only in how one logs in:
// under tandem-sshd the SSH login is the person's name; under OpenSSH it is the service login
// (`tandem`) and the offered key names the person. Invitees use `join` under both. Scenarios
// are written once against this interface and run against both (TEST_P over FrontEndKind).
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "harness/bastion_instance.hpp"
#include "harness/pty_session.hpp"

namespace tandem::test {

enum class FrontEndKind { tandem_sshd, openssh };

// "tandem_sshd", "openssh": the parameter's part of a test name.
std::string front_end_name(FrontEndKind kind);
inline std::ostream& operator<<(std::ostream& out, FrontEndKind kind) {
    return out << front_end_name(kind);
}
// Empty when this front end can run here; otherwise why not (for GTEST_SKIP).
std::string front_end_unavailable_reason(FrontEndKind kind);

class FrontEnd {
  public:
    // The front end for `instance`, whose users, hosts and grants must be in place already:
    // the OpenSSH one hands the instance's files to the service uid (later root-run admin
    // commands still work, but files they create would be root's). `dir` is for its own files.
    static std::unique_ptr<FrontEnd> start(FrontEndKind kind, BastionInstance& instance,
                                           const std::string& dir);
    virtual ~FrontEnd() = default;

    virtual FrontEndKind kind() const = 0;
    // The port people ssh to.
    virtual std::uint16_t port() const = 0;
    // ssh as `person` offering `key`: the bastion prompt, or with `command` (LOGIN@HOST) a
    // direct connection. ssh_argv() of it is the command line a person would type.
    virtual SshTarget login(const std::string& person, const std::string& key,
                            const std::string& command = {}) const = 0;
    // An invitee joining with their own key: `ssh -p PORT join@HOST TOKEN`.
    SshTarget join(const std::string& key, const std::string& token) const;
    // The ssh line `share` must print for token, as this front end is reached.
    std::string expected_join_line(const std::string& token) const;

    // tandem-broker, run as whoever the session hooks run as under this front end, with its web
    // face (HTTPS with the instance's certificate, the built web viewer) on a free loopback port.
    virtual void start_broker() = 0;
    // web.public_url of that broker (https://127.0.0.1:PORT): the base of the invite URLs that
    // `share` prints, and the address a browser invitee opens.
    virtual std::string web_url() const = 0;
    // This front end's own logs, for failure messages (the instance prints its own).
    virtual std::string diagnostics() const = 0;

  protected:
    virtual std::string join_login() const = 0;
};

}  // namespace tandem::test
