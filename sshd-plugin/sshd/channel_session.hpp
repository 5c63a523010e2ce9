// One "session" channel: collects pty-req / env, starts the hook on shell or exec, forwards
// window-change, and hands data, EOF and close to the relay. Anything else a client may ask of
// a channel (subsystem such as sftp, x11-req, auth-agent-req) has no callback here, so libssh
// refuses it.
#pragma once

#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hook_command.hpp"
#include "relay.hpp"
#include "tandem/hook_process.hpp"

namespace tandem::sshd {

// How to start the hook, fixed for the life of the server.
struct HookSettings {
    std::string path;
    std::string config_path;
    std::vector<std::pair<std::string, std::string>> overrides;
    ProcessOwner owner;
};

class ChannelSession {
  public:
    ChannelSession(ssh_session session, ssh_channel channel, ssh_event event, int child_signal_fd,
                   const HookSettings& hook, std::string user, bool join, PeerAddresses peer);
    ChannelSession(const ChannelSession&) = delete;
    ChannelSession& operator=(const ChannelSession&) = delete;

    ssh_channel channel() const { return channel_; }
    Relay* relay() { return relay_.get(); }
    // The client closed the channel before asking for a shell or command.
    bool closed_before_start() const { return !relay_ && closed_; }

  private:
    static int on_pty_request(ssh_session, ssh_channel, const char* term, int cols, int rows,
                              int px_width, int px_height, void* self);
    static int on_env(ssh_session, ssh_channel, const char* name, const char* value, void* self);
    static int on_shell(ssh_session, ssh_channel, void* self);
    static int on_exec(ssh_session, ssh_channel, const char* command, void* self);
    static int on_window_change(ssh_session, ssh_channel, int cols, int rows, int px_width,
                                int px_height, void* self);
    static int on_data(ssh_session, ssh_channel, void* data, uint32_t length, int is_stderr,
                       void* self);
    static void on_eof(ssh_session, ssh_channel, void* self);
    static void on_close(ssh_session, ssh_channel, void* self);

    int start(std::optional<std::string> command);

    ssh_session session_;
    ssh_channel channel_;
    ssh_event event_;
    int child_signal_fd_;
    const HookSettings& hook_;
    std::string user_;
    bool join_ = false;
    PeerAddresses peer_;

    ssh_channel_callbacks_struct callbacks_{};
    std::optional<TerminalSize> pty_size_;
    std::string term_;
    std::vector<std::pair<std::string, std::string>> env_;
    bool eof_ = false;
    bool closed_ = false;
    std::unique_ptr<Relay> relay_;
};

// Client-supplied sizes made sane: 0 means "unknown" (80x24), and nothing absurd reaches ioctl.
TerminalSize sane_terminal_size(int cols, int rows, int px_width, int px_height);

}  // namespace tandem::sshd
