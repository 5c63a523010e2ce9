#include "tandem/hook_process.hpp"

#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>
#include <vector>

#include "tandem/errors.hpp"

namespace tandem {
namespace {

[[noreturn]] void throw_errno(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

void make_nonblocking_cloexec(int fd) {
    const int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) throw_errno("fcntl");
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) throw_errno("fcntl");
}

winsize to_winsize(const TerminalSize& size) {
    winsize ws{};
    ws.ws_col = static_cast<unsigned short>(size.cols);
    ws.ws_row = static_cast<unsigned short>(size.rows);
    ws.ws_xpixel = static_cast<unsigned short>(size.px_width);
    ws.ws_ypixel = static_cast<unsigned short>(size.px_height);
    return ws;
}

// What execve needs, prepared before fork so the child only makes async-signal-safe calls.
struct ExecArgs {
    explicit ExecArgs(const HookInvocation& invocation) : inv(invocation) {
        for (const auto& a : inv.argv) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        for (const auto& e : inv.env) envp.push_back(const_cast<char*>(e.c_str()));
        envp.push_back(nullptr);
        failure = user_message(ErrorCode::T_103_internal) + "\r\n";
    }
    const HookInvocation& inv;
    std::vector<char*> argv;
    std::vector<char*> envp;
    std::string failure;
};

// In the forked child: fds 0-2 are set up; drop everything else we hold and exec.
[[noreturn]] void exec_hook(const ExecArgs& args) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    // Ignored signals survive exec; the hook must start with default dispositions.
    for (int sig : {SIGPIPE, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGCHLD, SIGALRM})
        signal(sig, SIG_DFL);
    close_range(3, ~0U, 0);
    execve(args.inv.path.c_str(), args.argv.data(), args.envp.data());
    const ssize_t ignored = write(STDERR_FILENO, args.failure.data(), args.failure.size());
    (void)ignored;
    _exit(127);
}

}  // namespace

PtyPair open_pty(const TerminalSize& size) {
    PtyPair pair;
    char name[128] = {};
    winsize ws = to_winsize(size);
    if (openpty(&pair.master, &pair.slave, name, nullptr, &ws) != 0) throw_errno("openpty");
    try {
        make_nonblocking_cloexec(pair.master);
        if (fcntl(pair.slave, F_SETFD, FD_CLOEXEC) != 0) throw_errno("fcntl");
    } catch (...) {
        close_fd(pair.master);
        close_fd(pair.slave);
        throw;
    }
    pair.slave_path = name;
    return pair;
}

void set_terminal_size(int master, const TerminalSize& size) {
    const winsize ws = to_winsize(size);
    ioctl(master, TIOCSWINSZ, &ws);  // the kernel sends SIGWINCH to the foreground group
}

HookProcess HookProcess::spawn_on_pty(const HookInvocation& invocation, PtyPair pty) {
    const ExecArgs args(invocation);
    const pid_t pid = fork();
    if (pid < 0) {
        const int saved = errno;
        close_fd(pty.master);
        close_fd(pty.slave);
        errno = saved;
        throw_errno("fork");
    }
    if (pid == 0) {
        setsid();
        ioctl(pty.slave, TIOCSCTTY, 0);
        for (int target = 0; target <= 2; ++target) dup2(pty.slave, target);
        exec_hook(args);
    }
    close_fd(pty.slave);
    HookProcess process;
    process.pid_ = pid;
    process.pty_master_ = pty.master;
    return process;
}

HookProcess HookProcess::spawn_on_pipes(const HookInvocation& invocation) {
    const ExecArgs args(invocation);
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    auto close_all = [&] {
        for (int* p : {in, out, err}) {
            close_fd(p[0]);
            close_fd(p[1]);
        }
    };
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        const int saved = errno;
        close_all();
        errno = saved;
        throw_errno("pipe2");
    }
    const pid_t pid = fork();
    if (pid < 0) {
        const int saved = errno;
        close_all();
        errno = saved;
        throw_errno("fork");
    }
    if (pid == 0) {
        setsid();
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        dup2(err[1], STDERR_FILENO);
        exec_hook(args);
    }
    HookProcess process;
    process.pid_ = pid;
    process.stdin_ = in[1];
    process.stdout_ = out[0];
    process.stderr_ = err[0];
    in[1] = out[0] = err[0] = -1;
    close_all();
    try {
        for (int fd : {process.stdin_, process.stdout_, process.stderr_})
            make_nonblocking_cloexec(fd);
    } catch (...) {
        process.hangup();
        throw;
    }
    return process;
}

HookProcess::HookProcess(HookProcess&& other) noexcept {
    *this = std::move(other);
}

HookProcess& HookProcess::operator=(HookProcess&& other) noexcept {
    if (this != &other) {
        close_stdin();
        close_output_fds();
        pid_ = std::exchange(other.pid_, -1);
        pty_master_ = std::exchange(other.pty_master_, -1);
        stdin_ = std::exchange(other.stdin_, -1);
        stdout_ = std::exchange(other.stdout_, -1);
        stderr_ = std::exchange(other.stderr_, -1);
    }
    return *this;
}

HookProcess::~HookProcess() {
    close_stdin();
    close_output_fds();
}

void HookProcess::close_stdin() {
    close_fd(stdin_);
}

void HookProcess::close_output_fds() {
    close_fd(pty_master_);
    close_fd(stdout_);
    close_fd(stderr_);
}

void HookProcess::hangup() const {
    if (pid_ <= 0) return;
    kill(-pid_, SIGHUP);
    kill(-pid_, SIGCONT);
}

void HookProcess::kill_group() const {
    if (pid_ > 0) kill(-pid_, SIGKILL);
}

}  // namespace tandem
