#include "user_output.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace tandem {

bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pollfd pfd{fd, POLLOUT, 0};
            if (::poll(&pfd, 1, 5000) <= 0) return false;
            continue;
        }
        return false;
    }
    return true;
}

void print_line(std::string_view line) {
    std::string out(line);
    out.push_back('\n');
    write_all(STDOUT_FILENO, out);
}

void print_error(ErrorCode code) {
    write_all(STDERR_FILENO, user_message(code) + "\n");
}

}  // namespace tandem
