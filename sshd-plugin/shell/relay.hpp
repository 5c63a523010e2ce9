// Moves bytes between the user's terminal (stdin/stdout) and the managed host's channel in one
// single-threaded event loop, with backpressure both ways, the escape prompt, window-size
// changes, the recording and T_514 keepalives. Never blocks on either side.
#pragma once

#include <libssh/libssh.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "byte_queue.hpp"
#include "escape_commands.hpp"
#include "escape_parser.hpp"
#include "event_loop.hpp"
#include "keepalive_monitor.hpp"
#include "raw_terminal.hpp"
#include "terminal_ui.hpp"

namespace tandem {

class AltScreenMirror;
class AsciicastWriter;
class ShareLink;
class SignalPipe;

// What a re-read of the store says about the session's access (user, account, host, grant).
enum class AccessCheck {
    granted,
    revoked,      // gone: the session ends with T_306
    terminated,   // an administrator ordered the session ended: T_320
    unavailable,  // the store could not be read: try again at the next period
};

struct RelayOptions {
    bool interactive = true;  // user on a terminal: escape prompt and resize handling
    // Broker notices (joins, requests, control) drawn over the screen; a web O&M session's
    // page shows them itself. Answers at the escape prompt show either way.
    bool notices_on_terminal = true;
    int escape_key = 0x1d;
    std::chrono::milliseconds keepalive_interval{5000};
    int keepalive_count = 3;
    std::size_t output_queue_limit = 4 * 1024 * 1024;
    std::size_t input_queue_limit = 1024 * 1024;
    // Re-checked every access_recheck while the session runs; null = never.
    std::chrono::milliseconds access_recheck{2000};
    std::function<AccessCheck()> check_access;
    // Told the byte totals (to the host, from the host) at most every bytes_report period,
    // only when they changed, and once more when the relay ends; null = never.
    std::chrono::milliseconds bytes_report{1000};
    std::function<void(std::int64_t to_host, std::int64_t from_host)> report_bytes;
    // When the recording can no longer be written: told once; the session ends (T_602) when
    // recording is required, else it goes on unrecorded.
    bool recording_required = true;
    std::function<void()> recording_failed;
};

enum class RelayEnd {
    host_exit,          // the host's shell ended; exit_status is set
    host_lost,          // T_507: the connection broke
    host_unresponsive,  // T_514: nothing from the host for interval x count
    client_closed,      // the user's side went away (EOF, SIGHUP, SIGTERM)
    access_revoked,     // T_306: the user's access to the account was withdrawn
    terminated,         // T_320: an administrator ended the session (tandem-admin terminate)
    recording_lost,     // T_602: the recording could no longer be written (recording_required)
};

struct RelayOutcome {
    RelayEnd end = RelayEnd::host_exit;
    int exit_status = 255;
};

class Relay {
  public:
    // share: the session's link to the broker (null without a terminal): sharing commands,
    // notices and the controlling invitee's keystrokes.
    Relay(ssh_session session, ssh_channel channel, AltScreenMirror& mirror,
          AsciicastWriter& recording, SignalPipe& signals, const RelayOptions& options,
          ShareLink* share = nullptr);
    ~Relay();
    Relay(const Relay&) = delete;
    Relay& operator=(const Relay&) = delete;

    RelayOutcome run();
    // Shares the session as soon as the loop starts (`share LOGIN@HOST`).
    void share_at_start() { share_at_start_ = true; }

    // After an abnormal end (the host program could not restore its modes): delivers what is
    // still queued, then leaves the alternate screen, shows the cursor and resets input modes.
    void reset_user_terminal();

  private:
    using Clock = std::chrono::steady_clock;

    bool paused() const { return ui_.overlay_open() || to_user_.full() || to_user_err_.full(); }
    void read_user();
    void handle_user_bytes(std::string_view bytes);
    void handle_prompt_action(const EscapeAction& action, bool& redraw);
    void read_host();
    bool drain_stream(int is_stderr, std::size_t budget);
    void host_output(std::string_view bytes);
    void send_to_host();
    void flush_user();
    void window_changed();
    void handle_share_events(Clock::time_point now);
    void show_notice(const std::vector<std::string>& lines, bool keep_open, Clock::time_point now);
    void run_share_command(SessionCommand command, const std::string& argument);
    void send_keepalive(Clock::time_point now);
    void note_host_traffic(Clock::time_point now);
    void check_channel_end();
    void check_access();
    void report_bytes();
    void watch_fds();
    void end(RelayEnd why);
    void deliver_remaining_output(std::chrono::milliseconds limit);

    ssh_session session_;
    ssh_channel channel_;
    ssh_event event_ = nullptr;
    AltScreenMirror& mirror_;
    AsciicastWriter& recording_;
    SignalPipe& signals_;
    RelayOptions options_;

    EscapeParser parser_;
    EscapeCommands commands_;
    TerminalUi ui_;
    std::vector<std::string> prompt_messages_;
    KeepaliveMonitor keepalive_;
    ssh_counter_struct socket_counter_{};
    ssh_counter_struct packet_counter_{};
    std::uint64_t seen_in_bytes_ = 0;

    ByteQueue to_user_;
    ByteQueue to_user_err_;
    ByteQueue to_host_;
    std::vector<char> read_buffer_;
    std::vector<EscapeAction> actions_;
    TerminalSize size_;

    bool user_eof_ = false;
    bool recording_failure_told_ = false;
    bool host_eof_sent_ = false;
    bool host_backlog_ = false;
    bool stdout_blocked_ = false;  // last write hit EAGAIN: wait for POLLOUT before retrying
    bool stderr_blocked_ = false;  // the last pass stopped at its budget: more is buffered
    std::optional<RelayOutcome> outcome_;
    EventLoop loop_;
    EventLoop::Id ssh_watch_ = 0;
    EventLoop::Id stdin_watch_ = 0;
    EventLoop::Id stdout_watch_ = 0;
    EventLoop::Id stderr_watch_ = 0;
    EventLoop::Id share_watch_ = 0;
    EventLoop::Id keepalive_timer_ = 0;
    EventLoop::Id notice_timer_ = 0;
    EventLoop::Id notice_return_timer_ = 0;
    Clock::time_point last_pass_{};  // when this pass of the loop began (for output times)
    EventLoop::Id access_timer_ = 0;
    EventLoop::Id bytes_timer_ = 0;
    std::int64_t bytes_to_host_ = 0;
    std::int64_t bytes_from_host_ = 0;
    std::int64_t reported_to_host_ = 0;
    std::int64_t reported_from_host_ = 0;
    short ssh_revents_ = 0;  // this pass's events on the host's socket

    ShareLink* share_ = nullptr;
    bool share_at_start_ = false;
    std::string last_typist_;  // for input attribution in the recording
    bool told_not_controlling_ = false;
};

}  // namespace tandem
