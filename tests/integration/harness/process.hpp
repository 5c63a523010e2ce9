// Child processes for the integration tests: run a command to completion with captured
// output and a deadline, or keep a long-running one that is always stopped (with every
// descendant) when its owner goes away.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace tandem::test {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// How long ago t0 was, in seconds (tests report how fast something happened).
inline double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct CommandResult {
    int exit_code = -1;  // 128+signal when killed by a signal, -1 when it timed out
    std::string out;
    std::string err;
    bool timed_out = false;
    std::string describe() const;  // for failure messages
};

// Runs argv (argv[0] looked up in PATH) with stdin_data on its stdin; kills it at the deadline.
CommandResult run_command(const std::vector<std::string>& argv, const std::string& stdin_data = {},
                          std::chrono::milliseconds timeout = 60s);

// Every live descendant of pid (children first walked from /proc), not including pid itself.
std::vector<pid_t> descendants_of(pid_t pid);

// Decodes a waitpid status the way a shell does: exit code, or 128+signal.
int decode_wait_status(int status);

// SIGTERMs pid, waits up to grace for it to exit, then SIGKILLs it and every descendant
// (snapshotted before the TERM, so children that were reparented are not missed). Reaps pid.
// Returns pid's decoded exit status.
int stop_process_tree(pid_t pid, std::chrono::milliseconds grace);

// Waits for pid up to timeout. Returns true and sets status (decoded) when it exited.
bool wait_for_exit(pid_t pid, std::chrono::milliseconds timeout, int& status);

// Starts argv[0] (an absolute path) in the background: stdin /dev/null, stdout and stderr into
// files (files, not pipes: nobody has to keep draining them, and they survive for diagnosis).
// stdout is truncated; stderr is appended to when append_err, so restarts keep their history.
pid_t spawn_with_output_files(const std::vector<std::string>& argv, const std::string& out_path,
                              const std::string& err_path, bool append_err = false);

// The same, as the Unix user `user` (the caller being root). The program is opened before
// privileges are dropped, so it runs even from a directory closed to that user (a checkout
// under a private /tmp directory); whatever else it opens, it opens as `user`.
pid_t spawn_as_user_with_output_files(const std::string& user, const std::vector<std::string>& argv,
                                      const std::string& out_path, const std::string& err_path);

// Polls a file for a regex (e.g. the "listening on" line a daemon prints) until it matches, pid
// exits, or timeout. Returns the match and its groups; empty when it did not appear.
std::vector<std::string> await_line_in_file(const std::string& path, const std::string& pattern,
                                            pid_t pid, std::chrono::milliseconds timeout);

// Makes this process the reaper of orphaned descendants (so a test can find and end any
// process its children left behind). Idempotent.
void become_subreaper();

// A loopback port the kernel just handed out and released (for servers that cannot pick one
// themselves). Another process could take it first: callers retry on "in use".
std::uint16_t free_loopback_port();

}  // namespace tandem::test
