// Moves bytes between one SSH session channel and the hook's PTY (or pipes), inside the
// connection's single ssh_event loop. Both directions are bounded queues with backpressure:
//  - hook -> client: never more than the peer's channel window is written (ssh_channel_write
//    would block otherwise); the rest waits in a ring and the PTY is not read while it is full.
//  - client -> hook: what the PTY does not take now waits in a ring; when that is full the data
//    callback consumes less, libssh keeps the rest (and stops growing the window), and we pull
//    it back with ssh_channel_read_nonblocking once the ring drains.
// Callbacks only read/write fds and set flags; registrations change and libssh is called only
// from before_poll()/after_poll(), between ssh_event_dopoll rounds.
#pragma once

#include <libssh/libssh.h>

#include <chrono>
#include <cstddef>
#include <vector>

#include "byte_ring.hpp"
#include "tandem/hook_process.hpp"

namespace tandem::sshd {

class Relay {
  public:
    Relay(ssh_session session, ssh_channel channel, ssh_event event, HookProcess process,
          int child_signal_fd);
    Relay(const Relay&) = delete;
    Relay& operator=(const Relay&) = delete;
    ~Relay();

    // Channel callbacks, forwarded by the channel session.
    int on_client_data(const char* data, std::size_t length, bool is_stderr);
    void on_client_eof() { client_eof_ = true; }
    void on_channel_closed() { channel_closed_ = true; }
    void on_window_change(const TerminalSize& size);

    void before_poll();
    void after_poll();
    int poll_timeout_ms() const;  // -1 unless waiting for the client's close
    bool finished() const { return phase_ == Phase::done; }
    // The client went away: hang up the hook's process group and reap it (bounded wait).
    void abandon();

  private:
    enum class Phase { running, closing, done };
    struct Output {
        int fd;
        bool is_stderr;
        ByteRing ring;
        bool eof = false;
    };
    struct Watch {
        int fd;
        short registered = 0;
    };

    static int on_fd_event(socket_t fd, int revents, void* userdata);
    void set_watch(int fd, short events);
    void unwatch_all();
    void read_output(Output& out);
    void write_input();
    void flush_to_channel();
    void pull_client_backlog();
    void reap_children();
    void finish_channel();
    bool outputs_done() const;

    ssh_session session_;
    ssh_channel channel_;
    ssh_event event_;
    HookProcess process_;
    int child_signal_fd_;

    std::vector<Output> outputs_;
    int input_fd_;
    ByteRing input_;
    std::vector<Watch> watches_;

    Phase phase_ = Phase::running;
    bool child_exited_ = false;
    int wait_status_ = 0;
    bool client_eof_ = false;
    bool channel_closed_ = false;
    bool client_backlog_ = false;  // libssh holds client bytes our ring had no room for
    bool input_failed_ = false;    // the hook stopped reading (EIO/EPIPE): discard input
    bool writing_channel_ = false;
    bool pulling_backlog_ = false;
    std::chrono::steady_clock::time_point close_deadline_{};
};

}  // namespace tandem::sshd
