// tandem-keys: OpenSSH AuthorizedKeysCommand, `tandem-keys [--config FILE] %u %t %k`.
#include <unistd.h>

#include <cerrno>
#include <string>

#include "authorized_keys_command.hpp"

int main(int argc, char** argv) {
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
