#include "harness/process.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace tandem::test {

std::string CommandResult::describe() const {
    std::ostringstream s;
    s << "exit=" << exit_code << (timed_out ? " (timed out)" : "") << "\nstdout: " << out
      << "\nstderr: " << err;
    return s.str();
}

int decode_wait_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

namespace {

void set_cloexec_nonblock(int fd) {
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
    std::vector<char*> out;
    for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
    out.push_back(nullptr);
    return out;
}

// Parent pid of every process, read from /proc/PID/stat.
std::map<pid_t, pid_t> parent_map() {
    std::map<pid_t, pid_t> parents;
    DIR* proc = ::opendir("/proc");
    if (!proc) return parents;
    while (dirent* entry = ::readdir(proc)) {
        char* end = nullptr;
        long pid = std::strtol(entry->d_name, &end, 10);
        if (pid <= 0 || *end != '\0') continue;
        std::ifstream stat("/proc/" + std::string(entry->d_name) + "/stat");
        std::string line;
        if (!std::getline(stat, line)) continue;
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        auto close = line.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream rest(line.substr(close + 1));
        std::string state;
        pid_t ppid = 0;
        rest >> state >> ppid;
        parents[static_cast<pid_t>(pid)] = ppid;
    }
    ::closedir(proc);
    return parents;
}

}  // namespace

std::vector<pid_t> descendants_of(pid_t root) {
    auto parents = parent_map();
    std::vector<pid_t> out;
    std::vector<pid_t> frontier{root};
    while (!frontier.empty()) {
        pid_t p = frontier.back();
        frontier.pop_back();
        for (const auto& [pid, ppid] : parents) {
            if (ppid == p) {
                out.push_back(pid);
                frontier.push_back(pid);
            }
        }
    }
    return out;
}

bool wait_for_exit(pid_t pid, std::chrono::milliseconds timeout, int& status) {
    auto deadline = Clock::now() + timeout;
    for (;;) {
        int raw = 0;
        pid_t r = ::waitpid(pid, &raw, WNOHANG);
        if (r == pid) {
            status = decode_wait_status(raw);
            return true;
        }
        if (r < 0 && errno != EINTR) {
            status = -1;
            return true;  // not our child any more (already reaped)
        }
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(10ms);  // polling a condition, not synchronising on time
    }
}

int stop_process_tree(pid_t pid, std::chrono::milliseconds grace) {
    if (pid <= 0) return -1;
    auto tree = descendants_of(pid);
    ::kill(pid, SIGTERM);
    int status = -1;
    bool exited = wait_for_exit(pid, grace, status);
    if (!exited) {
        ::kill(pid, SIGKILL);
        wait_for_exit(pid, 10s, status);
    }
    // Whatever the process left behind (it may have been reparented to us or to init).
    for (pid_t child : tree) ::kill(child, SIGKILL);
    for (pid_t child : tree) {
        int ignored = 0;
        wait_for_exit(child, 2s, ignored);  // returns at once for processes that are not ours
    }
    return status;
}

namespace {

// In a forked child: stdin /dev/null, stdout and stderr into the files.
void redirect_to_files(const std::string& out_path, const std::string& err_path, bool append_err) {
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err =
        ::open(err_path.c_str(), O_WRONLY | O_CREAT | (append_err ? O_APPEND : O_TRUNC), 0644);
    int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::signal(SIGPIPE, SIG_DFL);
}

}  // namespace

pid_t spawn_with_output_files(const std::vector<std::string>& argv, const std::string& out_path,
                              const std::string& err_path, bool append_err) {
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        redirect_to_files(out_path, err_path, append_err);
        auto args = c_argv(argv);
        ::execv(args[0], args.data());
        std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
        ::_exit(127);
    }
    return pid;
}

pid_t spawn_as_user_with_output_files(const std::string& user, const std::vector<std::string>& argv,
                                      const std::string& out_path, const std::string& err_path) {
    // Everything that reads /etc/passwd or /etc/group happens before fork.
    const passwd* pw = ::getpwnam(user.c_str());
    if (pw == nullptr) throw std::runtime_error("no Unix user " + user);
    const uid_t uid = pw->pw_uid;
    const gid_t gid = pw->pw_gid;
    std::vector<gid_t> groups(64);
    int group_count = static_cast<int>(groups.size());
    if (::getgrouplist(user.c_str(), gid, groups.data(), &group_count) < 0)
        throw std::runtime_error("too many groups for " + user);
    groups.resize(static_cast<std::size_t>(group_count));
    const int program = ::open(argv.at(0).c_str(), O_RDONLY | O_CLOEXEC);
    if (program < 0) throw std::runtime_error("cannot open " + argv[0]);

    pid_t pid = ::fork();
    if (pid < 0) {
        ::close(program);
        throw std::runtime_error("fork failed");
    }
    if (pid == 0) {
        redirect_to_files(out_path, err_path, false);
        if (::setgroups(groups.size(), groups.data()) != 0 || ::setgid(gid) != 0 ||
            ::setuid(uid) != 0) {
            std::fprintf(stderr, "cannot become %s: %s\n", user.c_str(), std::strerror(errno));
            ::_exit(127);
        }
        auto args = c_argv(argv);
        ::fexecve(program, args.data(), environ);
        std::fprintf(stderr, "exec %s as %s: %s\n", args[0], user.c_str(), std::strerror(errno));
        ::_exit(127);
    }
    ::close(program);
    return pid;
}

std::vector<std::string> await_line_in_file(const std::string& path, const std::string& pattern,
                                            pid_t pid, std::chrono::milliseconds timeout) {
    const std::regex re(pattern);
    auto deadline = Clock::now() + timeout;
    for (;;) {
        std::ifstream in(path, std::ios::binary);
        std::ostringstream content;
        if (in) content << in.rdbuf();
        const std::string text = content.str();
        std::smatch m;
        if (std::regex_search(text, m, re)) return std::vector<std::string>(m.begin(), m.end());
        // Exited (or not ours to wait for): the line will never come.
        if (pid > 0 && ::kill(pid, 0) != 0) return {};
        if (pid > 0) {
            siginfo_t info{};
            // A zombie still answers kill(0): look without reaping, so the owner can reap it.
            if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
                info.si_pid == pid)
                return {};
        }
        if (Clock::now() >= deadline) return {};
        std::this_thread::sleep_for(20ms);  // polling the file for the line
    }
}

void become_subreaper() {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

CommandResult run_command(const std::vector<std::string>& argv, const std::string& stdin_data,
                          std::chrono::milliseconds timeout) {
    int in[2], out[2], err[2];
    if (::pipe(in) || ::pipe(out) || ::pipe(err)) throw std::runtime_error("pipe failed");
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        ::dup2(in[0], 0);
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) ::close(fd);
        ::signal(SIGPIPE, SIG_DFL);
        auto args = c_argv(argv);
        ::execvp(args[0], args.data());
        std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
        ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    for (int fd : {in[1], out[0], err[0]}) set_cloexec_nonblock(fd);

    CommandResult result;
    std::size_t written = 0;
    int in_fd = in[1];
    if (stdin_data.empty()) {
        ::close(in_fd);
        in_fd = -1;
    }
    int out_fd = out[0], err_fd = err[0];
    auto deadline = Clock::now() + timeout;
    ::signal(SIGPIPE, SIG_IGN);  // a child that ignores its stdin must not kill the test
    while (out_fd >= 0 || err_fd >= 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            result.timed_out = true;
            break;
        }
        pollfd fds[3];
        int n = 0;
        if (out_fd >= 0) fds[n++] = {out_fd, POLLIN, 0};
        if (err_fd >= 0) fds[n++] = {err_fd, POLLIN, 0};
        if (in_fd >= 0) fds[n++] = {in_fd, POLLOUT, 0};
        if (::poll(fds, n, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
        for (int i = 0; i < n; ++i) {
            if (!fds[i].revents) continue;
            int fd = fds[i].fd;
            if (fd == in_fd) {
                ssize_t w = ::write(fd, stdin_data.data() + written, stdin_data.size() - written);
                if (w > 0) written += static_cast<std::size_t>(w);
                if (w < 0 && errno != EAGAIN) written = stdin_data.size();
                if (written == stdin_data.size()) {
                    ::close(in_fd);
                    in_fd = -1;
                }
                continue;
            }
            char buf[65536];
            ssize_t r = ::read(fd, buf, sizeof buf);
            if (r > 0) {
                (fd == out_fd ? result.out : result.err).append(buf, static_cast<std::size_t>(r));
            } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                ::close(fd);
                (fd == out_fd ? out_fd : err_fd) = -1;
            }
        }
    }
    for (int fd : {in_fd, out_fd, err_fd})
        if (fd >= 0) ::close(fd);
    if (result.timed_out) {
        stop_process_tree(pid, 1s);
        result.exit_code = -1;
        return result;
    }
    int status = -1;
    if (!wait_for_exit(
            pid,
            std::max<std::chrono::milliseconds>(
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()), 1s),
            status)) {
        result.timed_out = true;
        stop_process_tree(pid, 1s);
        return result;
    }
    result.exit_code = status;
    return result;
}

std::uint16_t free_loopback_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        if (fd >= 0) ::close(fd);
        throw std::runtime_error("cannot find a free loopback port");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

}  // namespace tandem::test
