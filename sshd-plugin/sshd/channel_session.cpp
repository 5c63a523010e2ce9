#include "channel_session.hpp"

#include <algorithm>
#include <cstring>
#include <exception>

#include "tandem/log.hpp"

namespace tandem::sshd {

TerminalSize sane_terminal_size(int cols, int rows, int px_width, int px_height) {
    TerminalSize size;
    size.cols = cols > 0 ? std::min(cols, 10000) : 80;
    size.rows = rows > 0 ? std::min(rows, 10000) : 24;
    size.px_width = std::clamp(px_width, 0, 65535);
    size.px_height = std::clamp(px_height, 0, 65535);
    return size;
}

ChannelSession::ChannelSession(ssh_session session, ssh_channel channel, ssh_event event,
                               int child_signal_fd, const HookSettings& hook, std::string user,
                               bool join, PeerAddresses peer)
    : session_(session),
      channel_(channel),
      event_(event),
      child_signal_fd_(child_signal_fd),
      hook_(hook),
      user_(std::move(user)),
      join_(join),
      peer_(std::move(peer)) {
    callbacks_.userdata = this;
    callbacks_.channel_pty_request_function = &ChannelSession::on_pty_request;
    callbacks_.channel_env_request_function = &ChannelSession::on_env;
    callbacks_.channel_shell_request_function = &ChannelSession::on_shell;
    callbacks_.channel_exec_request_function = &ChannelSession::on_exec;
    callbacks_.channel_pty_window_change_function = &ChannelSession::on_window_change;
    callbacks_.channel_data_function = &ChannelSession::on_data;
    callbacks_.channel_eof_function = &ChannelSession::on_eof;
    callbacks_.channel_close_function = &ChannelSession::on_close;
    ssh_callbacks_init(&callbacks_);
    ssh_set_channel_callbacks(channel_, &callbacks_);
}

int ChannelSession::on_pty_request(ssh_session, ssh_channel, const char* term, int cols, int rows,
                                   int px_width, int px_height, void* userdata) {
    auto* self = static_cast<ChannelSession*>(userdata);
    if (self->relay_ || self->pty_size_ || term == nullptr || !is_acceptable_term(term)) return -1;
    self->term_ = term;
    self->pty_size_ = sane_terminal_size(cols, rows, px_width, px_height);
    return 0;
}

int ChannelSession::on_env(ssh_session, ssh_channel, const char* name, const char* value,
                           void* userdata) {
    auto* self = static_cast<ChannelSession*>(userdata);
    if (self->relay_ || name == nullptr || value == nullptr || !is_accepted_env_name(name) ||
        !is_acceptable_env_value(value))
        return -1;
    auto& env = self->env_;
    auto same =
        std::find_if(env.begin(), env.end(), [&](const auto& e) { return e.first == name; });
    if (same != env.end()) {
        same->second = value;
        return 0;
    }
    if (env.size() >= max_env_vars) return -1;
    env.emplace_back(name, value);
    return 0;
}

int ChannelSession::on_shell(ssh_session, ssh_channel, void* userdata) {
    return static_cast<ChannelSession*>(userdata)->start(std::nullopt);
}

int ChannelSession::on_exec(ssh_session, ssh_channel, const char* command, void* userdata) {
    if (command == nullptr || strnlen(command, max_command_bytes + 1) > max_command_bytes) {
        log::info("refused an exec request longer than " + std::to_string(max_command_bytes) +
                  " bytes");
        return -1;
    }
    return static_cast<ChannelSession*>(userdata)->start(std::string(command));
}

int ChannelSession::on_window_change(ssh_session, ssh_channel, int cols, int rows, int px_width,
                                     int px_height, void* userdata) {
    auto* self = static_cast<ChannelSession*>(userdata);
    if (!self->pty_size_) return -1;
    self->pty_size_ = sane_terminal_size(cols, rows, px_width, px_height);
    if (self->relay_) self->relay_->on_window_change(*self->pty_size_);
    return 0;
}

int ChannelSession::on_data(ssh_session, ssh_channel, void* data, uint32_t length, int is_stderr,
                            void* userdata) {
    auto* self = static_cast<ChannelSession*>(userdata);
    if (!self->relay_) return static_cast<int>(length);  // nothing runs yet: discard
    return self->relay_->on_client_data(static_cast<const char*>(data), length, is_stderr != 0);
}

void ChannelSession::on_eof(ssh_session, ssh_channel, void* userdata) {
    auto* self = static_cast<ChannelSession*>(userdata);
    self->eof_ = true;
    if (self->relay_) self->relay_->on_client_eof();
}

void ChannelSession::on_close(ssh_session, ssh_channel, void* userdata) {
    auto* self = static_cast<ChannelSession*>(userdata);
    self->closed_ = true;
    if (self->relay_) self->relay_->on_channel_closed();
}

int ChannelSession::start(std::optional<std::string> command) {
    if (relay_) return -1;  // one shell or command per channel
    HookRequest request;
    request.user = user_;
    request.join = join_;
    request.command = std::move(command);
    request.env = env_;
    request.peer = peer_;
    try {
        HookProcess process;
        if (pty_size_) {
            PtyPair pty = open_pty(*pty_size_);
            request.term = term_;
            request.tty_path = pty.slave_path;
            const auto invocation = build_hook_invocation(hook_.path, hook_.config_path,
                                                          hook_.overrides, request, hook_.owner);
            process = HookProcess::spawn_on_pty(invocation, pty);
        } else {
            const auto invocation = build_hook_invocation(hook_.path, hook_.config_path,
                                                          hook_.overrides, request, hook_.owner);
            process = HookProcess::spawn_on_pipes(invocation);
        }
        log::info("started " + hook_.path + " for user '" + user_ + "' (" +
                  (pty_size_ ? "pty " + request.tty_path : std::string("no pty")) +
                  (request.command ? ", command" : ", shell") + "), pid " +
                  std::to_string(process.pid()));
        relay_ = std::make_unique<Relay>(session_, channel_, event_, std::move(process),
                                         child_signal_fd_);
    } catch (const std::exception& e) {
        log::error(std::string("cannot start the session hook: ") + e.what());
        return -1;
    }
    if (eof_) relay_->on_client_eof();
    return 0;
}

}  // namespace tandem::sshd
