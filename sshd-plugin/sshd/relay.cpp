#include "relay.hpp"

#include <libssh/server.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "exit_report.hpp"
#include "tandem/log.hpp"

namespace tandem::sshd {
namespace {

constexpr std::size_t output_queue_bytes = 1 << 20;  // hook -> client, per stream
constexpr std::size_t stderr_queue_bytes = 256 << 10;
constexpr std::size_t input_queue_bytes = 256 << 10;  // client -> hook
// Bytes read from the hook per poll round before handing them to the channel: large enough
// to fill several SSH packets per write, small enough to keep echo latency low.
constexpr std::size_t read_budget_bytes = 128 << 10;
constexpr auto close_grace = std::chrono::seconds(5);   // waiting for the client's close
constexpr auto hangup_grace = std::chrono::seconds(5);  // waiting for the hook after SIGHUP

}  // namespace

Relay::Relay(ssh_session session, ssh_channel channel, ssh_event event, HookProcess process,
             int child_signal_fd)
    : session_(session),
      channel_(channel),
      event_(event),
      process_(std::move(process)),
      child_signal_fd_(child_signal_fd),
      input_fd_(process_.has_pty() ? process_.pty_master() : process_.stdin_fd()),
      input_(input_queue_bytes) {
    if (process_.has_pty()) {
        outputs_.push_back({process_.pty_master(), false, ByteRing(output_queue_bytes)});
    } else {
        outputs_.push_back({process_.stdout_fd(), false, ByteRing(output_queue_bytes)});
        outputs_.push_back({process_.stderr_fd(), true, ByteRing(stderr_queue_bytes)});
    }
}

Relay::~Relay() {
    unwatch_all();
}

int Relay::on_client_data(const char* data, std::size_t length, bool is_stderr) {
    if (is_stderr) return static_cast<int>(length);  // clients have no stderr to send us
    if (pulling_backlog_) return 0;                  // pull_client_backlog() reads it in order
    if (input_failed_ || input_fd_ < 0) return static_cast<int>(length);
    std::size_t taken = 0;
    if (input_.empty()) {
        const ssize_t n = write(input_fd_, data, length);
        if (n > 0) {
            taken = static_cast<std::size_t>(n);
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            input_failed_ = true;
            return static_cast<int>(length);
        }
    }
    taken += input_.push({data + taken, length - taken});
    if (taken < length) client_backlog_ = true;
    return static_cast<int>(taken);
}

void Relay::on_window_change(const TerminalSize& size) {
    if (process_.has_pty()) set_terminal_size(process_.pty_master(), size);
}

int Relay::on_fd_event(socket_t fd, int revents, void* userdata) {
    auto* self = static_cast<Relay*>(userdata);
    if (fd == self->child_signal_fd_) {
        self->reap_children();
        return 0;
    }
    if (fd == self->input_fd_ && (revents & (POLLOUT | POLLERR | POLLHUP))) self->write_input();
    for (auto& out : self->outputs_)
        if (out.fd == fd && (revents & (POLLIN | POLLHUP | POLLERR))) self->read_output(out);
    return 0;  // never remove handles from inside libssh's dispatch loop
}

void Relay::read_output(Output& out) {
    if (out.eof || writing_channel_) return;  // re-entered from inside ssh_channel_write
    // After the hook exited, what it wrote is already in the PTY: once it reads empty we are
    // done, even if a background job still holds the slave open (as OpenSSH does).
    const bool drain_to_empty = child_exited_ && process_.has_pty();
    std::size_t budget = read_budget_bytes;
    while (budget > 0 && !out.ring.full()) {
        auto space = out.ring.writable();
        const ssize_t n = read(out.fd, space.data(), std::min(space.size(), budget));
        if (n > 0) {
            out.ring.commit(static_cast<std::size_t>(n));
            budget -= static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) {
            if (drain_to_empty) out.eof = true;
            return;
        }
        out.eof = true;  // EOF on a pipe; EIO on the PTY once every slave fd is closed
        return;
    }
}

void Relay::write_input() {
    while (!input_.empty() && input_fd_ >= 0 && !input_failed_) {
        const auto bytes = input_.readable();
        const ssize_t n = write(input_fd_, bytes.data(), bytes.size());
        if (n > 0) {
            input_.consume(static_cast<std::size_t>(n));
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EAGAIN) {
            return;
        } else {
            input_failed_ = true;
        }
    }
    if (input_failed_) input_.consume(input_.size());
}

void Relay::reap_children() {
    signalfd_siginfo info[8];
    while (read(child_signal_fd_, info, sizeof info) > 0) {
    }
    int status = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (pid == process_.pid()) {
            child_exited_ = true;
            wait_status_ = status;
        }
    }
}

void Relay::set_watch(int fd, short events) {
    auto it =
        std::find_if(watches_.begin(), watches_.end(), [fd](const Watch& w) { return w.fd == fd; });
    if (it == watches_.end()) {
        if (events == 0) return;
        it = watches_.insert(watches_.end(), Watch{fd, 0});
    }
    if (it->registered == events) return;
    // libssh offers no way to change a handle's events: replace it.
    if (it->registered != 0) ssh_event_remove_fd(event_, fd);
    if (events != 0 && ssh_event_add_fd(event_, fd, events, &Relay::on_fd_event, this) != SSH_OK)
        events = 0;
    if (events == 0)
        watches_.erase(it);  // the fd may be closed and its number reused
    else
        it->registered = events;
}

void Relay::unwatch_all() {
    for (auto& w : watches_)
        if (w.registered != 0) ssh_event_remove_fd(event_, w.fd);
    watches_.clear();
}

void Relay::before_poll() {
    if (phase_ != Phase::running) {
        unwatch_all();
        return;
    }
    // Pipes: the client's EOF (once its bytes are delivered) closes the hook's stdin.
    if (!process_.has_pty() && input_fd_ >= 0 &&
        ((client_eof_ && input_.empty() && !client_backlog_) || input_failed_)) {
        set_watch(input_fd_, 0);
        process_.close_stdin();
        input_fd_ = -1;
    }
    short input_events = 0;
    if (input_fd_ >= 0 && !input_.empty() && !input_failed_) input_events = POLLOUT;
    for (auto& out : outputs_) {
        short events = 0;
        if (!out.eof && !out.ring.full()) events |= POLLIN;
        if (out.fd == input_fd_) events |= input_events;
        set_watch(out.fd, events);
    }
    if (input_fd_ >= 0 && input_fd_ != outputs_.front().fd) set_watch(input_fd_, input_events);
    set_watch(child_signal_fd_, child_exited_ ? 0 : POLLIN);
}

void Relay::after_poll() {
    if (phase_ == Phase::done) return;
    const bool session_gone = (ssh_get_status(session_) & (SSH_CLOSED | SSH_CLOSED_ERROR)) != 0;
    if (phase_ == Phase::closing) {
        if (channel_closed_ || session_gone || std::chrono::steady_clock::now() >= close_deadline_)
            phase_ = Phase::done;
        return;
    }
    if (channel_closed_ || session_gone) {
        abandon();
        return;
    }
    flush_to_channel();
    if (child_exited_ && process_.has_pty() && !outputs_.front().eof) {
        read_output(outputs_.front());
        flush_to_channel();
    }
    pull_client_backlog();
    if (child_exited_ && outputs_done()) finish_channel();
}

int Relay::poll_timeout_ms() const {
    if (phase_ != Phase::closing) return -1;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        close_deadline_ - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<long long>(0, left.count()));
}

void Relay::flush_to_channel() {
    writing_channel_ = true;
    for (auto& out : outputs_) {
        while (!out.ring.empty()) {
            const std::uint32_t window = ssh_channel_window_size(channel_);
            if (window == 0) break;  // resume after the client's window adjust
            const auto bytes = out.ring.readable();
            const auto n = static_cast<std::uint32_t>(std::min<std::size_t>(bytes.size(), window));
            const int written = out.is_stderr ? ssh_channel_write_stderr(channel_, bytes.data(), n)
                                              : ssh_channel_write(channel_, bytes.data(), n);
            if (written <= 0) break;  // SSH_ERROR: the session's status tells after_poll
            out.ring.consume(static_cast<std::size_t>(written));
            if (static_cast<std::uint32_t>(written) < n) break;
        }
    }
    writing_channel_ = false;
}

void Relay::pull_client_backlog() {
    while (client_backlog_ && !input_failed_ && input_.room() > 0) {
        auto space = input_.writable();
        pulling_backlog_ = true;
        const int n = ssh_channel_read_nonblocking(channel_, space.data(),
                                                   static_cast<std::uint32_t>(space.size()), 0);
        pulling_backlog_ = false;
        if (n <= 0) {
            client_backlog_ = false;
            break;
        }
        input_.commit(static_cast<std::size_t>(n));
    }
    if (!input_.empty()) write_input();
}

bool Relay::outputs_done() const {
    return std::all_of(outputs_.begin(), outputs_.end(),
                       [](const Output& o) { return o.eof && o.ring.empty(); });
}

void Relay::finish_channel() {
    const ExitReport report = exit_report_from_wait_status(wait_status_);
    if (report.signaled) {
        ssh_channel_request_send_exit_signal(channel_, report.signal.c_str(),
                                             report.core_dumped ? 1 : 0, "", "");
        log::info("session ended: signal " + report.signal);
    } else {
        ssh_channel_request_send_exit_status(channel_, report.status);
        log::info("session ended: exit status " + std::to_string(report.status));
    }
    ssh_channel_send_eof(channel_);
    ssh_channel_close(channel_);
    phase_ = Phase::closing;
    close_deadline_ = std::chrono::steady_clock::now() + close_grace;
    unwatch_all();
    process_.close_stdin();
    process_.close_output_fds();
    input_fd_ = -1;
}

void Relay::abandon() {
    unwatch_all();
    if (!child_exited_) {
        process_.hangup();
        log::info("client left; hanging up the session");
    }
    process_.close_stdin();
    process_.close_output_fds();  // closing the PTY master hangs the terminal up as well
    input_fd_ = -1;
    const auto deadline = std::chrono::steady_clock::now() + hangup_grace;
    while (!child_exited_) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{child_signal_fd_, POLLIN, 0};
        poll(&p, 1, static_cast<int>(left.count()));
        reap_children();
    }
    if (!child_exited_) {
        log::warn("session hook ignored SIGHUP; killing it");
        process_.kill_group();
        int status = 0;
        if (waitpid(process_.pid(), &status, 0) == process_.pid()) child_exited_ = true;
    }
    // Answers the client's CHANNEL_CLOSE too (libssh does not); a no-op once sent.
    if ((ssh_get_status(session_) & (SSH_CLOSED | SSH_CLOSED_ERROR)) == 0)
        ssh_channel_close(channel_);
    phase_ = Phase::done;
}

}  // namespace tandem::sshd
