// The ssh client inside a detached tmux session on its own server socket: what a person
// would see on their screen is read back with capture-pane, so tests can compare screens
// exactly (a full-screen program, the escape prompt and the screen it must restore).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "harness/process.hpp"
#include "harness/pty_session.hpp"

namespace tandem::test {

class TmuxClient {
  public:
    // record_output keeps every byte ssh writes to the pane (tmux pipe-pane into a file), for
    // tests that read printed values (an invite token) or check a stream, not just the screen.
    TmuxClient(const SshTarget& target, int cols, int rows, bool record_output = false);
    ~TmuxClient();  // kills the tmux server (and with it ssh)
    TmuxClient(const TmuxClient&) = delete;
    TmuxClient& operator=(const TmuxClient&) = delete;

    // The visible screen, one string per row, trailing blanks trimmed (tmux does that).
    std::vector<std::string> screen() const;
    // The visible screen with attributes as escape sequences (capture-pane -e).
    std::string screen_with_attributes() const;
    std::string screen_text() const;  // rows joined with '\n'

    // Polls the screen until it contains text; fails the test on timeout (showing the screen).
    bool expect_on_screen(const std::string& text, std::chrono::milliseconds timeout = 30s);
    // Polls until some row matches the regex (e.g. a shell prompt); returns its index or -1.
    int expect_row_matching(const std::string& pattern, std::chrono::milliseconds timeout = 30s);
    bool wait_until_absent(const std::string& text, std::chrono::milliseconds timeout = 30s);
    // Polls until the screen stops changing for `quiet` (rendering has settled).
    std::string settled_screen(std::chrono::milliseconds quiet = 500ms,
                               std::chrono::milliseconds timeout = 20s) const;

    // Cursor position (column, row), 0-based, and whether it is visible.
    struct Cursor {
        int x = -1, y = -1;
        bool visible = true;
        bool operator==(const Cursor&) const = default;
    };
    Cursor cursor() const;

    void send_text(const std::string& text);  // literal characters (send-keys -l)
    void send_key(const std::string& key);    // tmux key names: Enter, Escape, C-]
    void resize(int cols, int rows);
    bool pane_dead() const;  // ssh exited (remain-on-exit keeps the pane for capture)
    // The ssh client's pid (to stop it with SIGSTOP, say); -1 when unknown.
    pid_t pane_pid() const;
    // Everything ssh wrote so far (only with record_output; "" otherwise).
    std::string raw_output() const;

  private:
    CommandResult tmux(std::vector<std::string> args) const;

    std::string socket_;
    std::string output_path_;  // "" unless recording
};

}  // namespace tandem::test
