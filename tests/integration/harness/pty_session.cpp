#include "harness/pty_session.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "harness/paths.hpp"

namespace tandem::test {

std::vector<std::string> ssh_argv(const SshTarget& t) {
    std::vector<std::string> argv{"ssh"};
    if (t.tty) argv.push_back("-tt");
    for (const char* opt :
         {"-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
          "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=30"}) {
        argv.push_back(opt);
    }
    argv.insert(argv.end(), {"-o", "LogLevel=" + t.log_level, "-p", std::to_string(t.port)});
    if (!t.key.empty()) argv.insert(argv.end(), {"-i", t.key});
    for (const auto& o : t.extra_options) argv.insert(argv.end(), {"-o", o});
    argv.push_back(t.user + "@127.0.0.1");
    if (!t.command.empty()) argv.push_back(t.command);
    return argv;
}

PtySession::PtySession(const SshTarget& target, int cols, int rows, const std::string& term) {
    auto argv = ssh_argv(target);
    winsize ws{};
    ws.ws_col = static_cast<unsigned short>(cols);
    ws.ws_row = static_cast<unsigned short>(rows);
    pid_ = ::forkpty(&master_, nullptr, nullptr, &ws);
    if (pid_ < 0) throw std::runtime_error(std::string("forkpty: ") + std::strerror(errno));
    if (pid_ == 0) {
        ::setenv("TERM", term.c_str(), 1);
        ::unsetenv("SSH_AUTH_SOCK");  // only the key we name may be offered
        ::signal(SIGPIPE, SIG_DFL);
        std::vector<char*> args;
        for (auto& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        std::fprintf(stderr, "exec ssh: %s\n", std::strerror(errno));
        ::_exit(127);
    }
    ::fcntl(master_, F_SETFD, FD_CLOEXEC);
    ::fcntl(master_, F_SETFL, ::fcntl(master_, F_GETFL) | O_NONBLOCK);
}

PtySession::~PtySession() {
    // TANDEM_IT_SHOW_TRANSCRIPT=1 shows what each client saw, for writing and debugging tests.
    if (std::getenv("TANDEM_IT_SHOW_TRANSCRIPT"))
        std::fprintf(stderr, "----- transcript of ssh %d:\n%s\n-----\n", pid_, tail(4096).c_str());
    if (!exit_status_) {
        stop_process_tree(pid_, 2s);
    }
    if (master_ >= 0) ::close(master_);
}

std::string PtySession::tail(std::size_t bytes) const {
    std::string t =
        transcript_.size() > bytes ? transcript_.substr(transcript_.size() - bytes) : transcript_;
    return printable(t);
}

void PtySession::reap_if_exited() {
    if (exit_status_) return;
    int raw = 0;
    if (::waitpid(pid_, &raw, WNOHANG) == pid_) exit_status_ = decode_wait_status(raw);
}

bool PtySession::pump(std::chrono::milliseconds wait) {
    if (eof_) return false;
    pollfd pfd{master_, POLLIN, 0};
    int n = ::poll(&pfd, 1, static_cast<int>(wait.count()));
    if (n <= 0) return true;
    for (;;) {
        char buf[65536];
        ssize_t r = ::read(master_, buf, sizeof buf);
        if (r > 0) {
            transcript_.append(buf, static_cast<std::size_t>(r));
            continue;
        }
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) return true;
        eof_ = true;  // EIO: every slave fd closed, ssh is gone
        return false;
    }
}

bool PtySession::wait_for(const std::string& text, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    std::size_t searched_to = cursor_;
    for (;;) {
        // Only the new bytes (plus an overlap) are searched again: bulk output stays linear.
        std::size_t from = searched_to >= text.size() ? searched_to - text.size() + 1 : 0;
        auto pos = transcript_.find(text, std::max(from, cursor_));
        if (pos != std::string::npos) {
            cursor_ = pos + text.size();
            return true;
        }
        searched_to = transcript_.size();
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0 || eof_) return false;
        pump(std::min<std::chrono::milliseconds>(left, 200ms));
    }
}

bool PtySession::saw(const std::string& text, std::size_t from, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    for (;;) {
        if (transcript_.find(text, from) != std::string::npos) return true;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0 || eof_) return false;
        pump(std::min<std::chrono::milliseconds>(left, 200ms));
    }
}

bool PtySession::expect(const std::string& text, std::chrono::milliseconds timeout) {
    if (wait_for(text, timeout)) return true;
    ADD_FAILURE() << "did not see \"" << printable(text) << "\" within " << timeout.count() << " ms"
                  << (eof_ ? " (the terminal closed)" : "") << "; last output:\n-----\n"
                  << tail() << "\n-----";
    return false;
}

std::vector<std::string> PtySession::expect_regex(const std::string& pattern,
                                                  std::chrono::milliseconds timeout) {
    std::regex re(pattern);
    auto deadline = Clock::now() + timeout;
    for (;;) {
        std::string unread_copy = transcript_.substr(cursor_);
        std::smatch m;
        if (std::regex_search(unread_copy, m, re)) {
            cursor_ += static_cast<std::size_t>(m.position(0) + m.length(0));
            return std::vector<std::string>(m.begin(), m.end());
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0 || eof_) break;
        pump(std::min<std::chrono::milliseconds>(left, 200ms));
    }
    ADD_FAILURE() << "did not see /" << pattern << "/ within " << timeout.count() << " ms"
                  << (eof_ ? " (the terminal closed)" : "") << "; last output:\n-----\n"
                  << tail() << "\n-----";
    return {};
}

void PtySession::send(const std::string& bytes) {
    std::size_t done = 0;
    auto deadline = Clock::now() + 30s;
    while (done < bytes.size()) {
        ssize_t w = ::write(master_, bytes.data() + done, bytes.size() - done);
        if (w > 0) {
            done += static_cast<std::size_t>(w);
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EINTR) {
            ADD_FAILURE() << "write to ssh's terminal failed: " << std::strerror(errno);
            return;
        }
        if (Clock::now() > deadline) {
            ADD_FAILURE() << "ssh did not read its input for 30 s";
            return;
        }
        pump(10ms);  // keep ssh's output flowing so it can take more input
    }
}

void PtySession::resize(int cols, int rows) {
    winsize ws{};
    ws.ws_col = static_cast<unsigned short>(cols);
    ws.ws_row = static_cast<unsigned short>(rows);
    if (::ioctl(master_, TIOCSWINSZ, &ws) != 0)
        ADD_FAILURE() << "TIOCSWINSZ failed: " << std::strerror(errno);
}

std::optional<int> PtySession::wait_exit(std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    for (;;) {
        reap_if_exited();
        if (exit_status_) {
            // Drain what ssh wrote before exiting: read until the terminal reports closed or
            // nothing more is pending.
            for (int i = 0; i < 1000 && !eof_; ++i) {
                std::size_t before = transcript_.size();
                pump(20ms);
                if (transcript_.size() == before) break;
            }
            return exit_status_;
        }
        if (Clock::now() >= deadline) return std::nullopt;
        if (eof_) {
            std::this_thread::sleep_for(10ms);  // terminal closed; polling for ssh's exit
        } else {
            pump(50ms);
        }
    }
}

std::optional<int> PtySession::read_all_until_exit(std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (!eof_ && Clock::now() < deadline) pump(200ms);
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return wait_exit(std::max<std::chrono::milliseconds>(left, 1ms));
}

}  // namespace tandem::test
