#include "listener.hpp"

#include <fcntl.h>
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
#include <vector>

#include "connection.hpp"
#include "socket_address.hpp"
#include "tandem/errors.hpp"
#include "tandem/log.hpp"

namespace tandem::sshd {
namespace {

std::pair<std::string, std::uint16_t> listen_address(const Config& config) {
    const auto parsed = parse_host_port(config.ssh_listen);
    if (!parsed)
        throw TandemError(ErrorCode::T_101_bad_config,
                          "ssh.listen: not HOST:PORT: " + config.ssh_listen);
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
      socket_(listen_address(config)),
      gate_(config.ssh_max_startups, config.ssh_per_source_max_startups) {}

int Listener::run() {
    signal(SIGPIPE, SIG_IGN);
    const sigset_t signals = listener_signals();
    sigprocmask(SIG_BLOCK, &signals, nullptr);
    signal_fd_ = signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
    if (signal_fd_ < 0)
        throw TandemError(ErrorCode::T_103_internal, std::string("signalfd: ") + strerror(errno));

    std::printf("tandem-sshd listening on %s\n", socket_.bound_address().c_str());
    std::fflush(stdout);
    log::info("listening on " + socket_.bound_address() + "; session hook " + hook_.path);
    if (access(hook_.path.c_str(), X_OK) != 0)
        log::warn("session hook " + hook_.path + " is not executable: " + strerror(errno) +
                  "; sessions will fail until it is (set ssh.shell)");

    bool stopping = false;
    std::vector<pollfd> fds;
    std::vector<pid_t> reporting;  // the child behind each report pipe in fds[2...]
    while (!stopping) {
        using Clock = std::chrono::steady_clock;
        int timeout_ms = -1;
        if (accept_paused_until_) {
            const auto left =
                std::chrono::ceil<std::chrono::milliseconds>(*accept_paused_until_ - Clock::now());
            if (left.count() <= 0)
                accept_paused_until_.reset();
            else
                timeout_ms = static_cast<int>(left.count());
        }
        fds.assign(
            {{signal_fd_, POLLIN, 0}, {accept_paused_until_ ? -1 : socket_.fd(), POLLIN, 0}});
        reporting.clear();
        for (const auto& [pid, child] : gate_.pending()) {
            fds.push_back({child.report_fd, POLLIN, 0});
            reporting.push_back(pid);
        }
        const int ready = poll(fds.data(), fds.size(), timeout_ms);
        if (ready < 0) {
            if (errno == EINTR) continue;
            throw TandemError(ErrorCode::T_103_internal, std::string("poll: ") + strerror(errno));
        }
        if (fds[0].revents & POLLIN) {
            signalfd_siginfo info;
            while (read(signal_fd_, &info, sizeof info) == sizeof info) {
                if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) stopping = true;
            }
            reap_children();
        }
        // A byte (authenticated) or EOF (ended): either way the child no longer counts. Seen
        // before accepting, so a slot freed in this round is free for the next connection.
        for (std::size_t i = 0; i < reporting.size(); ++i)
            if (fds[i + 2].revents != 0) gate_.remove(reporting[i]);
        if (!stopping && (fds[1].revents & POLLIN)) accept_pending();
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
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;  // nothing more pending
            // EMFILE and the like: the connection stays queued, so retrying at once would spin.
            accept_paused_until_ =
                std::chrono::steady_clock::now() + backoff_.failed(strerror(errno));
            return;
        }
        backoff_.succeeded();
        const Endpoint peer = peer_endpoint(fd);
        std::optional<std::string> refusal;
        if (children_ >= config_.ssh_max_connections)
            refusal =
                "ssh.max_connections (" + std::to_string(config_.ssh_max_connections) + ") reached";
        else
            refusal = gate_.refusal(peer.ip, std::uniform_int_distribution<int>(0, 99)(random_));
        if (refusal) {
            // Closed before a byte is sent: costs the listener an accept, never a process.
            refusal_log_.write(log::Level::warn, "dropped connection from " +
                                                     format_endpoint(peer) + ": " + *refusal);
            close(fd);
            continue;
        }
        start_connection(fd, peer);
    }
}

void Listener::start_connection(int fd, const Endpoint& peer) {
    // The child writes a byte here once the client authenticated (and the pipe closes when it
    // ends): until then it counts against ssh.max_startups.
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        log::error(std::string("pipe: ") + strerror(errno));
        close(fd);
        return;
    }
    const pid_t pid = fork();
    if (pid < 0) {
        log::error(std::string("fork: ") + strerror(errno));
        close(fd);
        close(report[0]);
        close(report[1]);
        return;
    }
    if (pid == 0) {
        // The connection child: nothing of the listener's survives but the accepted socket.
        socket_.close();
        close(signal_fd_);
        gate_.forget_in_child();
        close(report[0]);
        sigset_t keep;
        sigemptyset(&keep);
        sigaddset(&keep, SIGCHLD);  // the connection watches its hook through a signalfd
        sigprocmask(SIG_SETMASK, &keep, nullptr);
        const int code = serve_connection(config_, hook_, bind_, fd, report[1]);
        std::fflush(nullptr);
        _exit(code);
    }
    close(fd);
    close(report[1]);
    gate_.add(pid, peer.ip, report[0]);
    ++children_;
    log::info("connection from " + format_endpoint(peer) + " served by pid " + std::to_string(pid));
}

void Listener::reap_children() {
    int status = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        --children_;
        gate_.remove(pid);
        if (WIFSIGNALED(status))
            log::info("connection pid " + std::to_string(pid) + " ended by signal " +
                      std::to_string(WTERMSIG(status)));
    }
}

}  // namespace tandem::sshd
