#include "raw_terminal.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <csignal>
#include <initializer_list>

namespace tandem {
namespace {

// State for the fatal-signal handler: plain globals, written before the handler can run.
volatile sig_atomic_t g_emergency_armed = 0;
int g_emergency_fd = -1;
termios g_emergency_termios{};

void restore_and_reraise(int signo) {
    if (g_emergency_armed) ::tcsetattr(g_emergency_fd, TCSANOW, &g_emergency_termios);
    ::signal(signo, SIG_DFL);
    ::raise(signo);
}

void arm_emergency_restore(int fd, const termios& saved) {
    g_emergency_fd = fd;
    g_emergency_termios = saved;
    g_emergency_armed = 1;
    for (int signo : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) {
        struct sigaction sa {};
        sa.sa_handler = restore_and_reraise;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESETHAND;
        ::sigaction(signo, &sa, nullptr);
    }
}

void set_nonblocking(int fd, int& saved_flags) {
    saved_flags = ::fcntl(fd, F_GETFL);
    if (saved_flags >= 0 && !(saved_flags & O_NONBLOCK))
        ::fcntl(fd, F_SETFL, saved_flags | O_NONBLOCK);
}

}  // namespace

TerminalSize window_size(int fd) {
    winsize ws{};
    TerminalSize size;
    if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
        size.rows = ws.ws_row;
        size.cols = ws.ws_col;
    }
    return size;
}

RawTerminal::RawTerminal(int in_fd, int out_fd, bool raw) : in_fd_(in_fd), out_fd_(out_fd) {
    if (raw && ::isatty(in_fd) && ::tcgetattr(in_fd, &saved_) == 0) {
        termios mode = saved_;
        ::cfmakeraw(&mode);
        arm_emergency_restore(in_fd, saved_);
        if (::tcsetattr(in_fd, TCSANOW, &mode) == 0) raw_ = true;
    }
    set_nonblocking(in_fd_, in_flags_);
    set_nonblocking(out_fd_, out_flags_);
}

RawTerminal::~RawTerminal() {
    restore();
}

void RawTerminal::restore() {
    if (restored_) return;
    restored_ = true;
    // stdin and stdout often share one open file description: restore the flags in reverse.
    if (out_flags_ >= 0) ::fcntl(out_fd_, F_SETFL, out_flags_);
    if (in_flags_ >= 0) ::fcntl(in_fd_, F_SETFL, in_flags_);
    if (raw_) {
        ::tcsetattr(in_fd_, TCSADRAIN, &saved_);
        g_emergency_armed = 0;
    }
}

}  // namespace tandem
