// The session hook's process (tandem-shell): started on a new PTY (interactive) or on pipes
// (exec without a PTY), always as the leader of its own session so a hangup reaches its whole
// process group. The hook inherits only fds 0-2 and the environment in its HookInvocation.
// tandem-sshd starts one per SSH channel; the broker starts one per web O&M session.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>

#include <vector>

#include "tandem/terminal_size.hpp"

namespace tandem {

// What to execute: the path, argv (argv[0] included) and the whole environment.
struct HookInvocation {
    std::string path;
    std::vector<std::string> argv;
    std::vector<std::string> env;  // "NAME=value"
};

// A PTY pair opened before the hook is built, because the hook's SSH_TTY names the slave.
struct PtyPair {
    int master = -1;  // nonblocking, close-on-exec
    int slave = -1;
    std::string slave_path;
};
// Throws std::system_error.
PtyPair open_pty(const TerminalSize& size);
void set_terminal_size(int master, const TerminalSize& size);

// The configured path (ssh.shell), else tandem-shell beside the running executable, else, for
// an executable installed in PREFIX/sbin, PREFIX/bin/tandem-shell.
inline std::string resolve_hook_path(const std::string& configured, const std::string& own_exe,
                                     const std::function<bool(const std::string&)>& exists) {
    if (!configured.empty()) return configured;
    const auto slash = own_exe.rfind('/');
    const std::string dir =
        slash == std::string::npos ? std::string(".") : own_exe.substr(0, slash);
    const std::string beside = dir + "/tandem-shell";
    if (exists(beside)) return beside;
    // Installed: tandem-sshd in PREFIX/sbin, tandem-shell in PREFIX/bin (where the OpenSSH
    // drop-in's forced command also finds it).
    if (dir.size() >= 5 && dir.compare(dir.size() - 5, 5, "/sbin") == 0) {
        const std::string bin = dir.substr(0, dir.size() - 5) + "/bin/tandem-shell";
        if (exists(bin)) return bin;
    }
    return beside;  // missing: the hook's start fails naming this path
}

class HookProcess {
  public:
    HookProcess() = default;
    // Forks and execs; the parent's copy of pty.slave is closed. Throws std::system_error.
    static HookProcess spawn_on_pty(const HookInvocation& invocation, PtyPair pty);
    static HookProcess spawn_on_pipes(const HookInvocation& invocation);

    HookProcess(HookProcess&& other) noexcept;
    HookProcess& operator=(HookProcess&& other) noexcept;
    HookProcess(const HookProcess&) = delete;
    HookProcess& operator=(const HookProcess&) = delete;
    ~HookProcess();

    pid_t pid() const { return pid_; }
    bool has_pty() const { return pty_master_ >= 0; }
    int pty_master() const { return pty_master_; }
    int stdin_fd() const { return stdin_; }    // pipes only; -1 once closed
    int stdout_fd() const { return stdout_; }  // pipes only
    int stderr_fd() const { return stderr_; }  // pipes only

    void close_stdin();
    void close_output_fds();  // stdout/stderr pipes or the PTY master
    // SIGHUP (then SIGCONT, so a stopped job sees it) to the hook's process group.
    void hangup() const;
    void kill_group() const;

  private:
    pid_t pid_ = -1;
    int pty_master_ = -1;
    int stdin_ = -1;
    int stdout_ = -1;
    int stderr_ = -1;
};

}  // namespace tandem
