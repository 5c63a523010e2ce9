// tandem-keys: OpenSSH AuthorizedKeysCommand, `tandem-keys [--config FILE] %u %t %k`.
#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <string>

#include "authorized_keys_command.hpp"
#include "tandem/version.hpp"

namespace {

constexpr const char* usage =
    "usage: tandem-keys [--config FILE] [--section.key=value ...] USER TYPE KEY\n"
    "OpenSSH's AuthorizedKeysCommand (AuthorizedKeysCommand tandem-keys %u %t %k): prints the\n"
    "forced-command line for a registered key of a tandem user, nothing otherwise.\n"
    "options:\n"
    "  --config FILE          the instance's tandem.conf (default: $TANDEM_CONFIG, then\n"
    "                         /etc/tandem/tandem.conf)\n"
    "  --section.key=value    override one config key (docs/configuration.md)\n"
    "  --version              print the version and exit\n"
    "  --help, -h             print this help and exit\n";

}  // namespace

int main(int argc, char** argv) {
    // Only alone: sshd always passes three arguments, which must never be taken for options.
    if (argc == 2)
        if (auto status =
                tandem::answer_version_or_help(argc, argv, "tandem-keys", usage, std::cout))
            return *status;
    std::string out;
    const int status = tandem::run_keys(argc, argv, out);
    // One write of at most one line; sshd reads stdout until EOF.
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = ::write(STDOUT_FILENO, out.data() + done, out.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
    }
    return status;
}
