#include "harness/front_end.hpp"

#include <stdexcept>

#include "harness/openssh_bastion.hpp"

namespace tandem::test {
namespace {

// tandem-sshd: the SSH login is the person; the key must be theirs.
class TandemSshdFrontEnd final : public FrontEnd {
  public:
    explicit TandemSshdFrontEnd(BastionInstance& instance) : instance_(instance) {}

    FrontEndKind kind() const override { return FrontEndKind::tandem_sshd; }
    std::uint16_t port() const override { return instance_.port(); }
    SshTarget login(const std::string& person, const std::string& key,
                    const std::string& command) const override {
        return instance_.ssh(person, key, command);
    }
    void start_broker() override { instance_.start_broker_with_web(); }
    std::string web_url() const override { return instance_.web_url(); }
    std::string diagnostics() const override { return {}; }

  protected:
    std::string join_login() const override { return "join"; }

  private:
    BastionInstance& instance_;
};

// A stock sshd with the packaging snippet: everyone logs in as the service login and the key
// alone names the person (tandem-keys' forced command), so `person` is deliberately unused.
class OpensshFrontEnd final : public FrontEnd {
  public:
    OpensshFrontEnd(BastionInstance& instance, const std::string& dir) : openssh_(instance, dir) {}

    FrontEndKind kind() const override { return FrontEndKind::openssh; }
    std::uint16_t port() const override { return openssh_.port(); }
    SshTarget login(const std::string& /*person*/, const std::string& key,
                    const std::string& command) const override {
        return openssh_.ssh(OpensshBastion::kServiceLogin, key, command);
    }
    void start_broker() override { openssh_.start_broker(); }
    std::string web_url() const override { return openssh_.web_url(); }
    std::string diagnostics() const override { return openssh_.diagnostics(); }

  protected:
    std::string join_login() const override { return OpensshBastion::kJoinLogin; }

  private:
    OpensshBastion openssh_;
};

}  // namespace

std::string front_end_name(FrontEndKind kind) {
    switch (kind) {
        case FrontEndKind::tandem_sshd:
            return "tandem_sshd";
        case FrontEndKind::openssh:
            return "openssh";
    }
    return "unknown";
}

std::string front_end_unavailable_reason(FrontEndKind kind) {
    return kind == FrontEndKind::openssh ? OpensshBastion::unavailable_reason() : std::string();
}

std::unique_ptr<FrontEnd> FrontEnd::start(FrontEndKind kind, BastionInstance& instance,
                                          const std::string& dir) {
    switch (kind) {
        case FrontEndKind::tandem_sshd:
            return std::make_unique<TandemSshdFrontEnd>(instance);
        case FrontEndKind::openssh:
            return std::make_unique<OpensshFrontEnd>(instance, dir);
    }
    throw std::logic_error("unknown front end");
}

SshTarget FrontEnd::join(const std::string& key, const std::string& token) const {
    // Same server, key handling and options as a login; only the login name differs.
    SshTarget t = login(join_login(), key, token);
    t.user = join_login();
    return t;
}

std::string FrontEnd::expected_join_line(const std::string& token) const {
    return "ssh -p " + std::to_string(port()) + " " + join_login() + "@127.0.0.1 " + token;
}

}  // namespace tandem::test
