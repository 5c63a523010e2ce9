// What the client is told when the hook ends: exit-status, or exit-signal with the RFC 4254
// signal name (without "SIG"). Pure, header-only so unit tests use it.
#pragma once

#include <sys/wait.h>
#include <csignal>
#include <string>

namespace tandem::sshd {

struct ExitReport {
    bool signaled = false;
    int status = 0;      // exit status when !signaled
    std::string signal;  // "TERM", "KILL", ... when signaled
    bool core_dumped = false;
};

// RFC 4254 §6.10 names; anything else is reported the way OpenSSH does.
inline std::string rfc4254_signal_name(int sig) {
    switch (sig) {
        case SIGABRT:
            return "ABRT";
        case SIGALRM:
            return "ALRM";
        case SIGFPE:
            return "FPE";
        case SIGHUP:
            return "HUP";
        case SIGILL:
            return "ILL";
        case SIGINT:
            return "INT";
        case SIGKILL:
            return "KILL";
        case SIGPIPE:
            return "PIPE";
        case SIGQUIT:
            return "QUIT";
        case SIGSEGV:
            return "SEGV";
        case SIGTERM:
            return "TERM";
        case SIGUSR1:
            return "USR1";
        case SIGUSR2:
            return "USR2";
        default:
            return "SIG@openssh.com";
    }
}

inline ExitReport exit_report_from_wait_status(int wait_status) {
    ExitReport report;
    if (WIFSIGNALED(wait_status)) {
        report.signaled = true;
        report.signal = rfc4254_signal_name(WTERMSIG(wait_status));
        report.core_dumped = WCOREDUMP(wait_status);
    } else if (WIFEXITED(wait_status)) {
        report.status = WEXITSTATUS(wait_status);
    } else {
        report.status = 255;
    }
    return report;
}

}  // namespace tandem::sshd
