// The user's terminal during a session: raw mode and nonblocking stdin/stdout, undone on every
// way out (destructor, SIGTERM/SIGHUP through the relay loop, and fatal signals through an
// async-signal-safe handler that restores the saved termios before the process dies).
#pragma once

#include <termios.h>

#include "tandem/terminal_size.hpp"

namespace tandem {

// The terminal's size from TIOCGWINSZ on fd; 24x80 when it is not a terminal or reports 0.
TerminalSize window_size(int fd);

class RawTerminal {
  public:
    // raw: put in_fd in raw mode (only when it is a terminal). Both fds become nonblocking.
    RawTerminal(int in_fd, int out_fd, bool raw);
    ~RawTerminal();
    RawTerminal(const RawTerminal&) = delete;
    RawTerminal& operator=(const RawTerminal&) = delete;

    // Restores everything now (idempotent); the destructor calls it too.
    void restore();
    bool is_raw() const { return raw_; }

  private:
    int in_fd_;
    int out_fd_;
    bool raw_ = false;
    bool restored_ = false;
    termios saved_{};
    int in_flags_ = -1;
    int out_flags_ = -1;
};

}  // namespace tandem
