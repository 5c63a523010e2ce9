// tandem-shell: the session hook on the user's terminal (docs/architecture.md). Run by tandem-sshd
// or as an OpenSSH forced command: tandem-shell [--config FILE] --user NAME.
#include <iostream>

#include "shell_app.hpp"
#include "tandem/version.hpp"

namespace {

constexpr const char* usage =
    "usage: tandem-shell [--config FILE] [--section.key=value ...] --user NAME [--join]\n"
    "                    [--via ssh|web|drop-in]\n"
    "The session hook tandem-sshd (or OpenSSH, as a forced command) runs for an authenticated\n"
    "user: the bastion prompt, the relay to the managed host, recording and sharing.\n"
    "options:\n"
    "  --config FILE          the instance's tandem.conf (default: $TANDEM_CONFIG, then\n"
    "                         /etc/tandem/tandem.conf)\n"
    "  --section.key=value    override one config key (docs/configuration.md)\n"
    "  --user NAME            the authenticated tandem user (set by the front end only)\n"
    "  --join                 join mode: the command ($SSH_ORIGINAL_COMMAND) is an invite\n"
    "  --via ssh|web|drop-in  how the user came in, recorded with the session (default ssh)\n"
    "  --version              print the version and exit\n"
    "  --help, -h             print this help and exit\n";

}  // namespace

int main(int argc, char** argv) {
    if (auto status = tandem::answer_version_or_help(argc, argv, "tandem-shell", usage, std::cout))
        return *status;
    return tandem::run_shell(argc, argv);
}
