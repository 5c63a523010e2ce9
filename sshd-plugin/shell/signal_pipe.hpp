// Turns SIGWINCH, SIGTERM, SIGHUP and SIGINT into readable bytes on a pipe, so the poll loops
// see signals as ordinary events (the self-pipe trick). One per process.
#pragma once

namespace tandem {

struct PendingSignals {
    bool window_changed = false;
    bool terminate = false;  // SIGTERM or SIGHUP: the client or the system ends us
    bool interrupt = false;  // SIGINT (^C at the bastion prompt)
};

class SignalPipe {
  public:
    SignalPipe();  // installs the handlers; throws on failure
    ~SignalPipe();
    SignalPipe(const SignalPipe&) = delete;
    SignalPipe& operator=(const SignalPipe&) = delete;

    int fd() const { return read_fd_; }
    // Reads what arrived since the last call (nonblocking).
    PendingSignals drain();

  private:
    int read_fd_ = -1;
};

}  // namespace tandem
