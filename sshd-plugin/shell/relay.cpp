#include "relay.hpp"

#include <libssh/server.h>  // ssh_send_keepalive (usable by clients too)
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "share_link.hpp"
#include "signal_pipe.hpp"
#include "tandem/alt_screen_mirror.hpp"
#include "tandem/asciicast_writer.hpp"

namespace tandem {
namespace {

constexpr std::size_t read_chunk = 64 * 1024;
constexpr std::size_t host_budget_per_pass = 256 * 1024;

}  // namespace

Relay::Relay(ssh_session session, ssh_channel channel, AltScreenMirror& mirror,
             AsciicastWriter& recording, SignalPipe& signals, const RelayOptions& options,
             ShareLink* share)
    : session_(session),
      channel_(channel),
      mirror_(mirror),
      recording_(recording),
      signals_(signals),
      options_(options),
      parser_(options.interactive ? options.escape_key : -1),
      commands_(options.escape_key),
      ui_(mirror),
      keepalive_(options.keepalive_interval, options.keepalive_count, Clock::now()),
      to_user_(options.output_queue_limit),
      to_user_err_(options.output_queue_limit),
      to_host_(options.input_queue_limit),
      read_buffer_(read_chunk),
      size_{mirror.rows(), mirror.cols()},
      share_(share) {
    ssh_set_counters(session_, &socket_counter_, &packet_counter_);
    // The event lets the loop process packets (keepalive replies, window adjusts) while host
    // output is paused and the channel buffer is not being read.
    event_ = ssh_event_new();
    if (event_ != nullptr && ssh_event_add_session(event_, session_) != SSH_OK) {
        ssh_event_free(event_);
        event_ = nullptr;
    }
}

Relay::~Relay() {
    if (event_ != nullptr) {
        ssh_event_remove_session(event_, session_);
        ssh_event_free(event_);
    }
    ssh_set_counters(session_, nullptr, nullptr);
}

void Relay::watch_fds() {
    // Callbacks run in this order, as the pass needs them: what arrived from the host first
    // (for the keepalive), then signals, the terminal's room, the broker, the user's keys. The
    // broker comes before the keys: a web creator's keys reach this process on its PTY while
    // "control is back with you" comes on the broker's socket, written first; read in the
    // other order, the keys typed right after an unshare or a take were dropped as if an
    // invitee still held control.
    ssh_watch_ = loop_.watch(ssh_get_fd(session_), POLLIN, [this](short revents) {
        ssh_revents_ = revents;
        if (revents & POLLIN) keepalive_.bytes_received(Clock::now());
    });
    loop_.watch(signals_.fd(), POLLIN, [this](short) {
        const auto pending = signals_.drain();
        if (pending.terminate) {
            end(RelayEnd::client_closed);
            return;
        }
        if (pending.window_changed && options_.interactive) window_changed();
    });
    stdout_watch_ = loop_.watch(-1, POLLOUT, [this](short) { stdout_blocked_ = false; });
    stderr_watch_ = loop_.watch(-1, POLLOUT, [this](short) { stderr_blocked_ = false; });
    share_watch_ = loop_.watch(-1, 0, [this](short revents) { share_->on_poll(revents); });
    stdin_watch_ = loop_.watch(-1, POLLIN, [this](short) {
        read_user();
        if (outcome_) loop_.stop_pass();
    });
    // Timers: a wake-up for the keepalive's next decision (taken at the end of the pass), a
    // notice's end, the access re-check.
    keepalive_timer_ = loop_.add_timer([] {});
    notice_timer_ = loop_.add_timer([this] {
        // Over the prompt the notice's lines are the prompt's messages: they stay.
        if (parser_.prompt_open())
            ui_.forget_notice();
        else
            to_user_.append(ui_.close());
    });
    notice_return_timer_ = loop_.add_timer([this] {
        if (parser_.prompt_open())
            ui_.forget_notice();
        else
            to_user_.append(ui_.notice_return(Clock::now()));
    });
    access_timer_ = loop_.add_timer([this] { check_access(); });
    if (options_.check_access)
        loop_.set_timer(access_timer_, Clock::now() + options_.access_recheck);
    bytes_timer_ = loop_.add_timer([this] {
        loop_.set_timer(bytes_timer_, Clock::now() + options_.bytes_report);
        report_bytes();
    });
    if (options_.report_bytes) loop_.set_timer(bytes_timer_, Clock::now() + options_.bytes_report);
}

void Relay::report_bytes() {
    if (!options_.report_bytes) return;
    if (bytes_to_host_ == reported_to_host_ && bytes_from_host_ == reported_from_host_) return;
    reported_to_host_ = bytes_to_host_;
    reported_from_host_ = bytes_from_host_;
    options_.report_bytes(bytes_to_host_, bytes_from_host_);
}

void Relay::end(RelayEnd why) {
    if (!outcome_) outcome_ = RelayOutcome{why, 255};
    loop_.stop_pass();
}

RelayOutcome Relay::run() {
    watch_fds();
    if (share_at_start_ && share_ != nullptr) run_share_command(SessionCommand::share, {});
    while (!outcome_) {
        const auto before = Clock::now();
        short ssh_events = POLLIN;
        if (ssh_get_poll_flags(session_) & SSH_WRITE_PENDING) ssh_events |= POLLOUT;
        loop_.set_events(ssh_watch_, ssh_events);
        loop_.update(stdin_watch_, (!user_eof_ && !to_host_.full()) ? STDIN_FILENO : -1, POLLIN);
        loop_.update(stdout_watch_, to_user_.empty() ? -1 : STDOUT_FILENO, POLLOUT);
        loop_.update(stderr_watch_, to_user_err_.empty() ? -1 : STDERR_FILENO, POLLOUT);
        if (share_ != nullptr) loop_.update(share_watch_, share_->fd(), share_->poll_events());
        if (const int n = keepalive_.next_deadline_ms(before); n >= 0)
            loop_.set_timer(keepalive_timer_, before + std::chrono::milliseconds(n));
        if (const auto until = ui_.notice_deadline())
            loop_.set_timer(notice_timer_, *until);
        else
            loop_.clear_timer(notice_timer_);
        if (const auto at = ui_.notice_return_at())
            loop_.set_timer(notice_return_timer_, *at);
        else
            loop_.clear_timer(notice_return_timer_);

        ssh_revents_ = 0;
        // At least once a second: the recording's flush cadence.
        const auto wait = (host_backlog_ && !paused()) ? std::chrono::milliseconds(0)
                                                       : std::chrono::milliseconds(1000);
        if (!loop_.run_once(wait)) end(RelayEnd::client_closed);
        if (outcome_) break;
        const auto now = Clock::now();
        last_pass_ = now;
        if (share_ != nullptr) {
            share_->tick(now);
            handle_share_events(now);
        }

        // libssh stops processing packets in channel reads once the channel saw EOF, so the
        // exit status and close that follow in a later TCP read must be pumped here, or the
        // loop spins on POLLIN forever.
        if (ssh_revents_ && event_ != nullptr &&
            (paused() || (ssh_revents_ & POLLOUT) || ssh_channel_is_eof(channel_)))
            ssh_event_dopoll(event_, 0);
        // A timed notice (a join, a request, a command's answer) never holds the session's
        // output: everyone watching would wait for it. It steps aside for the output.
        if (ui_.notice_gives_way() && !parser_.prompt_open() &&
            (host_backlog_ || ssh_channel_poll(channel_, 0) > 0))
            to_user_.append(ui_.notice_step_aside(now));
        if (!paused()) read_host();
        if (outcome_) break;
        send_to_host();
        flush_user();
        note_host_traffic(now);
        check_channel_end();
        if (outcome_) break;

        if (keepalive_.expired(now)) {
            outcome_ = RelayOutcome{RelayEnd::host_unresponsive, 255};
            break;
        }
        if (keepalive_.probe_due(now)) send_keepalive(now);
        recording_.tick();
        if (recording_.failed() && !recording_failure_told_) {
            recording_failure_told_ = true;
            if (options_.recording_failed) options_.recording_failed();
            if (options_.recording_required) outcome_ = RelayOutcome{RelayEnd::recording_lost, 255};
        }
    }
    if (outcome_->end == RelayEnd::host_exit) deliver_remaining_output(std::chrono::seconds(10));
    recording_.flush();
    report_bytes();
    return *outcome_;
}

void Relay::read_user() {
    const ssize_t n = ::read(STDIN_FILENO, read_buffer_.data(), read_buffer_.size());
    if (n > 0) {
        handle_user_bytes(std::string_view(read_buffer_.data(), static_cast<std::size_t>(n)));
        send_to_host();  // a keystroke goes out in the same pass
        return;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    // EOF or EIO: the user's side is gone. Without a terminal, EOF is just the end of input.
    user_eof_ = true;
    if (options_.interactive) outcome_ = RelayOutcome{RelayEnd::client_closed, 255};
}

void Relay::read_host() {
    host_backlog_ = false;
    if (!drain_stream(0, host_budget_per_pass)) return;
    if (!options_.interactive) drain_stream(1, host_budget_per_pass);
}

bool Relay::drain_stream(int is_stderr, std::size_t budget) {
    std::size_t total = 0;
    while (total < budget && !paused()) {
        const int n = ssh_channel_read_nonblocking(channel_, read_buffer_.data(),
                                                   static_cast<std::uint32_t>(read_buffer_.size()),
                                                   is_stderr);
        if (n > 0) {
            total += static_cast<std::size_t>(n);
            bytes_from_host_ += n;
            const std::string_view bytes(read_buffer_.data(), static_cast<std::size_t>(n));
            if (is_stderr) {
                recording_.output(bytes);
                to_user_err_.append(bytes);
            } else {
                host_output(bytes);
            }
            if (outcome_) return false;
            continue;
        }
        if (n == SSH_ERROR) {
            check_channel_end();
            if (!outcome_) outcome_ = RelayOutcome{RelayEnd::host_lost, 255};
            return false;
        }
        break;  // nothing buffered now, or EOF
    }
    if (total >= budget) host_backlog_ = true;
    return true;
}

void Relay::host_output(std::string_view bytes) {
    mirror_.feed(bytes);
    ui_.output_written(last_pass_);
    recording_.output(bytes);
    if (share_ != nullptr) share_->on_output(bytes);
    if (to_user_.empty() && !stdout_blocked_) {
        // Straight to the terminal; only what it cannot take now is queued.
        const ssize_t n = ::write(STDOUT_FILENO, bytes.data(), bytes.size());
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            outcome_ = RelayOutcome{RelayEnd::client_closed, 255};
            return;
        }
        if (n > 0) bytes.remove_prefix(static_cast<std::size_t>(n));
        stdout_blocked_ = !bytes.empty();
    }
    to_user_.append(bytes);
}

void Relay::send_to_host() {
    while (!to_host_.empty()) {
        const std::uint32_t window = ssh_channel_window_size(channel_);
        if (window == 0) break;  // the host's window adjust arrives through the loop
        const auto pending = to_host_.front();
        const std::size_t count = std::min<std::size_t>({pending.size(), window, read_chunk});
        const int written =
            ssh_channel_write(channel_, pending.data(), static_cast<std::uint32_t>(count));
        if (written == SSH_ERROR) {
            check_channel_end();
            if (!outcome_) outcome_ = RelayOutcome{RelayEnd::host_lost, 255};
            return;
        }
        if (written <= 0) break;
        bytes_to_host_ += written;
        to_host_.consume(static_cast<std::size_t>(written));
    }
    if (user_eof_ && to_host_.empty() && !host_eof_sent_) {
        ssh_channel_send_eof(channel_);
        host_eof_sent_ = true;
    }
}

void Relay::flush_user() {
    // Retrying a terminal that just said EAGAIN only burns syscalls: wait for POLLOUT.
    bool ok = true;
    if (!stdout_blocked_ && !to_user_.empty()) {
        ok = to_user_.write_to(STDOUT_FILENO);
        stdout_blocked_ = !to_user_.empty();
    }
    if (ok && !stderr_blocked_ && !to_user_err_.empty()) {
        ok = to_user_err_.write_to(STDERR_FILENO);
        stderr_blocked_ = !to_user_err_.empty();
    }
    if (!ok) outcome_ = RelayOutcome{RelayEnd::client_closed, 255};
}

void Relay::window_changed() {
    const auto size = window_size(STDIN_FILENO);
    if (size.rows == size_.rows && size.cols == size_.cols) return;
    size_ = size;
    ssh_channel_change_pty_size(channel_, size.cols, size.rows);
    recording_.resize(size.cols, size.rows);
    mirror_.resize(size.rows, size.cols);
    if (share_ != nullptr) share_->on_resize(size.rows, size.cols);
    if (ui_.overlay_open()) {
        auto lines = prompt_messages_;
        lines.push_back(EscapeCommands::prompt_line(parser_.line()));
        to_user_.append(ui_.redraw_after_resize(lines));
    }
}

void Relay::send_keepalive(Clock::time_point now) {
    // In nonblocking mode ssh_send_keepalive never waits for the reply. A call made while the
    // previous probe's reply is still unread only collects that reply and sends nothing, so
    // when no packet went out, call once more to really send a probe.
    const auto before = packet_counter_.out_packets;
    ssh_send_keepalive(session_);
    if (packet_counter_.out_packets == before) ssh_send_keepalive(session_);
    keepalive_.probe_sent(now);
}

void Relay::note_host_traffic(Clock::time_point now) {
    if (socket_counter_.in_bytes != seen_in_bytes_) {
        seen_in_bytes_ = socket_counter_.in_bytes;
        keepalive_.bytes_received(now);
    }
}

void Relay::check_access() {
    loop_.set_timer(access_timer_, Clock::now() + options_.access_recheck);
    // An unreadable store never ends a session: the next period tries again.
    const auto access = options_.check_access();
    if (access == AccessCheck::revoked) end(RelayEnd::access_revoked);
    if (access == AccessCheck::terminated) end(RelayEnd::terminated);
}

void Relay::check_channel_end() {
    if (outcome_) return;
    const bool failed = (ssh_get_status(session_) & SSH_CLOSED_ERROR) != 0;
    const bool closed = ssh_channel_is_closed(channel_) != 0;
    const bool eof = ssh_channel_is_eof(channel_) != 0;
    if (!failed && !closed && !eof) return;
    if (failed) {
        const int status = ssh_channel_get_exit_status(channel_);
        outcome_ = (eof && status >= 0) ? RelayOutcome{RelayEnd::host_exit, status}
                                        : RelayOutcome{RelayEnd::host_lost, 255};
        return;
    }
    if (ui_.overlay_open()) {
        // The shell ended under the prompt: put the screen back so its last output shows.
        parser_.close_prompt();
        to_user_.append(ui_.close());
        prompt_messages_.clear();
    }
    // Everything the host sent before its EOF is shown first.
    if (ssh_channel_poll(channel_, 0) > 0) return;
    if (!options_.interactive && ssh_channel_poll(channel_, 1) > 0) return;
    if (!closed) return;  // EOF seen: the exit status and close follow
    const int status = ssh_channel_get_exit_status(channel_);
    outcome_ = RelayOutcome{RelayEnd::host_exit, status >= 0 ? status : 255};
}

void Relay::reset_user_terminal() {
    if (!options_.interactive) return;
    to_user_.append(ui_.reset());
    deliver_remaining_output(std::chrono::seconds(2));
}

void Relay::deliver_remaining_output(std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    EventLoop loop;
    const auto out = loop.watch(-1, POLLOUT, [](short) {});
    const auto err = loop.watch(-1, POLLOUT, [](short) {});
    while ((!to_user_.empty() || !to_user_err_.empty()) && Clock::now() < deadline) {
        loop.update(out, to_user_.empty() ? -1 : STDOUT_FILENO, POLLOUT);
        loop.update(err, to_user_err_.empty() ? -1 : STDERR_FILENO, POLLOUT);
        if (!loop.run_once(std::chrono::milliseconds(100))) return;
        if (!to_user_.write_to(STDOUT_FILENO) || !to_user_err_.write_to(STDERR_FILENO)) return;
    }
}

}  // namespace tandem
