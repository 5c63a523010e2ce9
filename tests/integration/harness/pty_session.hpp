// The real OpenSSH client on a pseudo-terminal, driven like a person at a keyboard:
// send keystrokes, expect output (with a transcript for failure messages), resize the
// window (the kernel SIGWINCHes ssh, which forwards the new size), and collect the exit status.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "harness/process.hpp"

namespace tandem::test {

struct SshTarget {
    std::uint16_t port = 0;
    std::string user;     // "alice", or the host login when talking to a managed host directly
    std::string key;      // private key offered (IdentitiesOnly)
    std::string command;  // "" = interactive shell; "root@web01" = direct connect
    std::string log_level = "ERROR";         // INFO shows SSH banners, where auth refusals appear
    bool tty = true;                         // -tt
    std::vector<std::string> extra_options;  // more -o KEY=VALUE
};

// The ssh argv for a target (also used by TmuxClient and the non-PTY runs).
std::vector<std::string> ssh_argv(const SshTarget& target);

class PtySession {
  public:
    PtySession(const SshTarget& target, int cols = 80, int rows = 24,
               const std::string& term = "xterm-256color");
    ~PtySession();  // kills ssh if still running
    PtySession(const PtySession&) = delete;
    PtySession& operator=(const PtySession&) = delete;

    // Waits until text appears after the cursor, then moves the cursor past it.
    // Fails the current test (with the transcript's tail) and returns false on timeout.
    bool expect(const std::string& text, std::chrono::milliseconds timeout = 30s);
    // Same with a regex over the unread output; returns the match and its groups (empty on
    // timeout). For small outputs only (std::regex backtracks).
    std::vector<std::string> expect_regex(const std::string& pattern,
                                          std::chrono::milliseconds timeout = 30s);
    // Like expect, without failing the test: true when text appeared within timeout.
    bool wait_for(const std::string& text, std::chrono::milliseconds timeout);
    // Waits until text appears anywhere at or after offset `from`, without moving the cursor
    // (for things whose order is not fixed, like notices of two people joining at once).
    bool saw(const std::string& text, std::size_t from = 0,
             std::chrono::milliseconds timeout = 30s);

    // Reads whatever output arrives within `wait`, so transcript() is current (for callers that
    // poll for one of several outcomes themselves).
    void read_for(std::chrono::milliseconds wait) { pump(wait); }

    void send(const std::string& bytes);
    void send_line(const std::string& line) { send(line + "\r"); }
    void resize(int cols, int rows);

    // Waits for ssh to exit (draining its output); returns the decoded status, nullopt on timeout.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout = 30s);
    // Reads everything until ssh closes the terminal and exits; returns the exit status.
    std::optional<int> read_all_until_exit(std::chrono::milliseconds timeout = 30s);

    const std::string& transcript() const { return transcript_; }
    // Output not consumed by expect yet.
    std::string unread() const { return transcript_.substr(cursor_); }
    // Offset in the transcript just past the last expected text.
    std::size_t cursor() const { return cursor_; }
    std::string tail(std::size_t bytes = 2048) const;
    pid_t pid() const { return pid_; }
    bool exited() const { return exit_status_.has_value(); }

  private:
    // Reads whatever is available within wait; false when the terminal closed.
    bool pump(std::chrono::milliseconds wait);
    void reap_if_exited();

    int master_ = -1;
    pid_t pid_ = -1;
    std::string transcript_;
    std::size_t cursor_ = 0;
    bool eof_ = false;
    std::optional<int> exit_status_;
};

}  // namespace tandem::test
