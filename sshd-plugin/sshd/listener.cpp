#include "listener.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "connection.hpp"
#include "socket_address.hpp"
#include "tandem/errors.hpp"
#include "tandem/log.hpp"

namespace tandem::sshd {
namespace {

std::pair<std::string, std::uint16_t> listen_address(const Config& config) {
    const auto parsed = parse_host_port(config.ssh_listen);
    if (!parsed)
        throw TandemError(ErrorCode::T_101, "ssh.listen: not HOST:PORT: " + config.ssh_listen);
    return *parsed;
}

sigset_t listener_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, sig);
    return set;
}

}  // namespace

Listener::Listener(const Config& config, HookSettings hook)
    : config_(config),
      hook_(std::move(hook)),
      bind_(config.ssh_host_key),
      socket_(listen_address(config)) {}

int Listener::run() {
    signal(SIGPIPE, SIG_IGN);
    const sigset_t signals = listener_signals();
    sigprocmask(SIG_BLOCK, &signals, nullptr);
    signal_fd_ = signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
    if (signal_fd_ < 0)
        throw TandemError(ErrorCode::T_103, std::string("signalfd: ") + strerror(errno));

    std::printf("tandem-sshd listening on %s\n", socket_.bound_address().c_str());
    std::fflush(stdout);
    log::info("listening on " + socket_.bound_address() + "; session hook " + hook_.path);
    if (access(hook_.path.c_str(), X_OK) != 0)
        log::warn("session hook " + hook_.path + " is not executable: " + strerror(errno) +
                  "; sessions will fail until it is (set ssh.shell)");

    bool stopping = false;
    while (!stopping) {
        pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {socket_.fd(), POLLIN, 0}};
        const int nfds = accept_paused_ ? 1 : 2;
        const int ready = poll(fds, nfds, accept_paused_ ? 200 : -1);
        if (ready < 0 && errno != EINTR)
            throw TandemError(ErrorCode::T_103, std::string("poll: ") + strerror(errno));
        if (ready == 0) accept_paused_ = false;
        if (fds[0].revents & POLLIN) {
            signalfd_siginfo info;
            while (read(signal_fd_, &info, sizeof info) == sizeof info) {
                if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) stopping = true;
            }
            reap_children();
        }
        if (!stopping && nfds == 2 && (fds[1].revents & POLLIN)) accept_pending();
    }
    socket_.close();
    log::info("stopping: no new connections; " + std::to_string(children_) +
              " connection(s) keep running");
    close(signal_fd_);
    return 0;
}

void Listener::accept_pending() {
    for (;;) {
        const int fd = accept4(socket_.fd(), nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                log::warn(std::string("accept: ") + strerror(errno) + "; pausing");
                accept_paused_ = true;
            }
            return;  // EAGAIN: nothing more pending
        }
        if (children_ >= config_.ssh_max_connections) {
            log::warn("refusing " + format_endpoint(peer_endpoint(fd)) + ": ssh.max_connections (" +
                      std::to_string(config_.ssh_max_connections) + ") reached");
            close(fd);
            continue;
        }
        start_connection(fd);
    }
}

void Listener::start_connection(int fd) {
    const std::string peer = format_endpoint(peer_endpoint(fd));
    const pid_t pid = fork();
    if (pid < 0) {
        log::error(std::string("fork: ") + strerror(errno));
        close(fd);
        return;
    }
    if (pid == 0) {
        // The connection child: nothing of the listener's survives but the accepted socket.
        socket_.close();
        close(signal_fd_);
        sigset_t keep;
        sigemptyset(&keep);
        sigaddset(&keep, SIGCHLD);  // the connection watches its hook through a signalfd
        sigprocmask(SIG_SETMASK, &keep, nullptr);
        const int code = serve_connection(config_, hook_, bind_, fd);
        std::fflush(nullptr);
        _exit(code);
    }
    close(fd);
    ++children_;
    log::info("connection from " + peer + " served by pid " + std::to_string(pid));
}

void Listener::reap_children() {
    int status = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        --children_;
        if (WIFSIGNALED(status))
            log::info("connection pid " + std::to_string(pid) + " ended by signal " +
                      std::to_string(WTERMSIG(status)));
    }
}

}  // namespace tandem::sshd
