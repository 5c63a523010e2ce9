#include "signal_pipe.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <initializer_list>
#include <stdexcept>

namespace tandem {
namespace {

int g_write_fd = -1;

void on_signal(int signo) {
    const int saved_errno = errno;
    const char byte = static_cast<char>(signo);
    if (g_write_fd >= 0) {
        const ssize_t n = ::write(g_write_fd, &byte, 1);
        (void)n;  // a full pipe already holds a wake-up
    }
    errno = saved_errno;
}

}  // namespace

SignalPipe::SignalPipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("pipe2 failed");
    read_fd_ = fds[0];
    g_write_fd = fds[1];
    for (int signo : {SIGWINCH, SIGTERM, SIGHUP, SIGINT}) {
        struct sigaction sa {};
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        ::sigaction(signo, &sa, nullptr);
    }
    // A vanished client must show up as a write error, not kill us before the store is updated.
    ::signal(SIGPIPE, SIG_IGN);
    // A recording past RLIMIT_FSIZE fails its write (EFBIG, then T_602) instead of killing us.
    ::signal(SIGXFSZ, SIG_IGN);
}

SignalPipe::~SignalPipe() {
    for (int signo : {SIGWINCH, SIGTERM, SIGHUP, SIGINT}) ::signal(signo, SIG_DFL);
    if (g_write_fd >= 0) ::close(g_write_fd);
    g_write_fd = -1;
    if (read_fd_ >= 0) ::close(read_fd_);
}

PendingSignals SignalPipe::drain() {
    PendingSignals pending;
    char bytes[64];
    for (;;) {
        const ssize_t n = ::read(read_fd_, bytes, sizeof bytes);
        if (n <= 0) break;
        for (ssize_t i = 0; i < n; ++i) {
            switch (bytes[i]) {
                case SIGWINCH:
                    pending.window_changed = true;
                    break;
                case SIGTERM:
                case SIGHUP:
                    pending.terminate = true;
                    break;
                case SIGINT:
                    pending.interrupt = true;
                    break;
                default:
                    break;
            }
        }
    }
    return pending;
}

}  // namespace tandem
