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
constexpr auto notice_time = std::chrono::milliseconds(2500);

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
      overlay_(mirror),
      keepalive_(options.keepalive_interval, options.keepalive_count, Clock::now()),
      to_user_(options.output_queue_limit),
      to_user_err_(options.output_queue_limit),
      to_host_(options.input_queue_limit),
      read_buffer_(read_chunk),
      size_{mirror.rows(), mirror.cols()},
      next_access_check_(Clock::now() + options.access_recheck),
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

RelayOutcome Relay::run() {
    const int ssh_fd = ssh_get_fd(session_);
    if (share_at_start_ && share_ != nullptr) run_share_command(SessionCommand::share, {});
    while (!outcome_) {
        auto now = Clock::now();
        pollfd fds[6] = {};
        fds[0] = {signals_.fd(), POLLIN, 0};
        fds[1] = {(!user_eof_ && !to_host_.full()) ? STDIN_FILENO : -1, POLLIN, 0};
        fds[2] = {to_user_.empty() ? -1 : STDOUT_FILENO, POLLOUT, 0};
        fds[3] = {to_user_err_.empty() ? -1 : STDERR_FILENO, POLLOUT, 0};
        short ssh_events = POLLIN;
        if (ssh_get_poll_flags(session_) & SSH_WRITE_PENDING) ssh_events |= POLLOUT;
        fds[4] = {ssh_fd, ssh_events, 0};
        fds[5] = {share_ != nullptr ? share_->fd() : -1,
                  share_ != nullptr ? share_->poll_events() : short{0}, 0};

        int timeout = keepalive_.next_deadline_ms(now);
        if (timeout < 0 || timeout > 1000) timeout = 1000;  // recording flush cadence
        if (const int n = notice_timeout_ms(now); n >= 0) timeout = std::min(timeout, n);
        if (const int n = access_timeout_ms(now); n >= 0) timeout = std::min(timeout, n);
        if (host_backlog_ && !paused()) timeout = 0;
        const int ready = ::poll(fds, 6, timeout);
        if (ready < 0 && errno != EINTR) {
            outcome_ = RelayOutcome{RelayEnd::client_closed, 255};
            break;
        }
        now = Clock::now();
        const short ssh_revents = ready > 0 ? fds[4].revents : 0;
        if (ssh_revents & POLLIN) keepalive_.bytes_received(now);

        if (ready > 0 && fds[0].revents) {
            const auto pending = signals_.drain();
            if (pending.terminate) {
                outcome_ = RelayOutcome{RelayEnd::client_closed, 255};
                break;
            }
            if (pending.window_changed && options_.interactive) window_changed();
        }
        if (ready > 0 && fds[2].revents) stdout_blocked_ = false;
        if (ready > 0 && fds[3].revents) stderr_blocked_ = false;
        if (ready > 0 && fds[1].revents) read_user();
        if (outcome_) break;
        if (share_ != nullptr) {
            if (ready > 0 && fds[5].revents) share_->on_poll(fds[5].revents);
            share_->tick(now);
            handle_share_events(now);
        }
        if (notice_until_ && now >= *notice_until_ && !parser_.prompt_open()) {
            notice_until_.reset();
            to_user_.append(overlay_.close());
        }

        // libssh stops processing packets in channel reads once the channel saw EOF, so the
        // exit status and close that follow in a later TCP read must be pumped here, or the
        // loop spins on POLLIN forever.
        if (ssh_revents && event_ != nullptr &&
            (paused() || (ssh_revents & POLLOUT) || ssh_channel_is_eof(channel_)))
            ssh_event_dopoll(event_, 0);
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
        check_access(now);
        if (outcome_) break;
        recording_.tick();
    }
    if (outcome_->end == RelayEnd::host_exit) deliver_remaining_output(std::chrono::seconds(10));
    recording_.flush();
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

void Relay::handle_user_bytes(std::string_view bytes) {
    if (!options_.interactive) {
        to_host_.append(bytes);
        recording_.input(bytes);
        return;
    }
    if (notice_until_ && !parser_.prompt_open()) {
        // A key closes a notice; a kept notice (the invite) swallows that key.
        notice_until_.reset();
        to_user_.append(overlay_.close());
        if (notice_kept_) {
            notice_kept_ = false;
            return;
        }
    }
    while (!bytes.empty()) {
        actions_.clear();
        bytes.remove_prefix(parser_.feed(bytes, actions_));
        bool redraw = false;
        for (const auto& action : actions_) handle_prompt_action(action, redraw);
        if (redraw && parser_.prompt_open()) {
            auto lines = prompt_messages_;
            lines.push_back(EscapeCommands::prompt_line(parser_.line()));
            to_user_.append(overlay_.show(lines));
        }
    }
}

void Relay::handle_prompt_action(const EscapeAction& action, bool& redraw) {
    switch (action.kind) {
        case EscapeAction::Kind::to_host:
            if (share_ != nullptr && !share_->creator_controls()) {
                // Rule 6, hook side: while an invitee controls, the creator's keys stay here.
                if (!told_not_controlling_) {
                    told_not_controlling_ = true;
                    show_notice({share_->controller() + " controls the session; " +
                                 escape_key_name(options_.escape_key) + " then take gets it back."},
                                false, Clock::now());
                }
                return;
            }
            if (share_ != nullptr && last_typist_ != "creator") {
                last_typist_ = "creator";
                recording_.marker("input: creator");
            }
            to_host_.append(action.text);
            recording_.input(action.text);
            return;
        case EscapeAction::Kind::prompt_open:
            prompt_messages_.clear();
            redraw = true;
            return;
        case EscapeAction::Kind::prompt_edit:
            if (!action.text.empty()) prompt_messages_.clear();
            redraw = true;
            return;
        case EscapeAction::Kind::prompt_submit: {
            const auto line = parse_prompt_line(action.text);
            if (share_ != nullptr && line.command && is_creator_command(*line.command)) {
                run_share_command(*line.command, line.argument);
                redraw = true;
                return;
            }
            const auto reply = commands_.run(line);
            if (reply.close_prompt) {
                parser_.close_prompt();
                to_user_.append(overlay_.close());
                prompt_messages_.clear();
                redraw = false;
                return;
            }
            prompt_messages_ = reply.lines;
            redraw = true;
            return;
        }
        case EscapeAction::Kind::prompt_close:
            to_user_.append(overlay_.close());
            prompt_messages_.clear();
            redraw = false;
            return;
    }
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
    if (overlay_.is_open()) {
        auto lines = prompt_messages_;
        lines.push_back(EscapeCommands::prompt_line(parser_.line()));
        to_user_.append(overlay_.redraw_after_resize(lines));
    }
}

void Relay::run_share_command(SessionCommand command, const std::string& argument) {
    auto immediate = share_->command(command, argument);
    if (!immediate.empty()) {
        show_notice(immediate, false, Clock::now());
        return;
    }
    if (parser_.prompt_open())
        prompt_messages_ = {std::string(to_string(command)) + ": asking the broker..."};
}

void Relay::handle_share_events(Clock::time_point now) {
    for (auto& event : share_->take_events()) {
        switch (event.kind) {
            case ShareEvent::Kind::lines:
                show_notice(event.lines, event.keep_open, now);
                break;
            case ShareEvent::Kind::input:
                if (share_->creator_controls()) break;  // control moved on meanwhile
                if (last_typist_ != share_->controller()) {
                    last_typist_ = share_->controller();
                    recording_.marker("input: " + last_typist_);
                }
                to_host_.append(event.text);
                recording_.input(event.text);
                send_to_host();
                break;
            case ShareEvent::Kind::control:
                recording_.marker("control: " + event.text);
                told_not_controlling_ = false;
                break;
        }
    }
}

void Relay::show_notice(const std::vector<std::string>& lines, bool keep_open,
                        Clock::time_point now) {
    if (!options_.interactive || lines.empty()) return;
    if (parser_.prompt_open()) {
        // At the prompt, answers and notices show above the line being typed.
        prompt_messages_ = lines;
        auto shown = prompt_messages_;
        shown.push_back(EscapeCommands::prompt_line(parser_.line()));
        to_user_.append(overlay_.show(shown));
        return;
    }
    // Host output waits while a notice shows, so a full-screen program is never drawn over.
    to_user_.append(overlay_.show(lines));
    notice_kept_ = keep_open;
    notice_until_ = keep_open ? now + std::chrono::hours(24) : now + notice_time;
}

int Relay::notice_timeout_ms(Clock::time_point now) const {
    if (!notice_until_ || notice_kept_) return -1;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*notice_until_ - now);
    return static_cast<int>(std::max<long long>(0, left.count()));
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

void Relay::check_access(Clock::time_point now) {
    if (!options_.check_access || now < next_access_check_) return;
    next_access_check_ = now + options_.access_recheck;
    // An unreadable store never ends a session: the next period tries again.
    if (options_.check_access() == AccessCheck::revoked)
        outcome_ = RelayOutcome{RelayEnd::access_revoked, 255};
}

int Relay::access_timeout_ms(Clock::time_point now) const {
    if (!options_.check_access) return -1;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(next_access_check_ - now);
    return static_cast<int>(std::max<long long>(0, left.count()));
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
    if (overlay_.is_open()) {
        // The shell ended under the prompt: put the screen back so its last output shows.
        parser_.close_prompt();
        to_user_.append(overlay_.close());
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
    to_user_.append(terminal_reset());
    deliver_remaining_output(std::chrono::seconds(2));
}

void Relay::deliver_remaining_output(std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while ((!to_user_.empty() || !to_user_err_.empty()) && Clock::now() < deadline) {
        pollfd fds[2] = {{to_user_.empty() ? -1 : STDOUT_FILENO, POLLOUT, 0},
                         {to_user_err_.empty() ? -1 : STDERR_FILENO, POLLOUT, 0}};
        if (::poll(fds, 2, 100) < 0 && errno != EINTR) return;
        if (!to_user_.write_to(STDOUT_FILENO) || !to_user_err_.write_to(STDERR_FILENO)) return;
    }
}

std::string Relay::terminal_reset() {
    std::string out = overlay_.close();
    const auto& modes = mirror_.modes();
    if (modes.alt_screen()) out += "\x1b[?1049l";
    out += "\x1b[0m";
    if (!modes.cursor_visible()) out += "\x1b[?25h";
    if (modes.app_cursor_keys()) out += "\x1b[?1l";
    if (modes.app_keypad()) out += "\x1b>";
    if (modes.bracketed_paste()) out += "\x1b[?2004l";
    if (modes.mouse_tracking() != 0) out += "\x1b[?" + std::to_string(modes.mouse_tracking()) + "l";
    if (modes.mouse_encoding() != 0) out += "\x1b[?" + std::to_string(modes.mouse_encoding()) + "l";
    if (modes.focus_events()) out += "\x1b[?1004l";
    return out;
}

}  // namespace tandem
