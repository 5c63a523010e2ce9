#include "harness/browser_invitee.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "harness/bastion_instance.hpp"
#include "harness/paths.hpp"

extern char** environ;

namespace tandem::test {
namespace {

// From tests/CMakeLists.txt: empty when CMake did not find them.
constexpr const char* kNode = TANDEM_NODE;
constexpr const char* kChromium = TANDEM_CHROMIUM;
constexpr const char* kNodePath = TANDEM_NODE_PATH;  // the web viewer's node_modules

// The browser waits up to 30 s for anything it is asked to wait for; this leaves it time to
// report, and to start Chromium before the first answer.
constexpr auto kAnswerTimeout = 60s;

std::string script() {
    return source_path("tests/browser/drive/join_and_control.js");
}

// This process's environment plus what the script and tests/browser/fixture.js read.
std::vector<std::string> child_environment() {
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string entry = *e;
        if (entry.rfind("NODE_PATH=", 0) != 0 && entry.rfind("TANDEM_", 0) != 0)
            env.push_back(entry);
    }
    env.push_back(std::string("NODE_PATH=") + kNodePath);
    env.push_back(std::string("TANDEM_CHROMIUM=") + kChromium);
    env.push_back("TANDEM_BIN_DIR=" + binary(""));
    env.push_back("TANDEM_SOURCE_DIR=" + source_path(""));
    env.push_back("TANDEM_WEBVIEW_DIR=" + built_webview_dir());
    return env;
}

}  // namespace

std::string BrowserInvitee::unavailable_reason() {
    if (*kNode == '\0' || !file_exists(kNode))
        return "the browser scenario needs node (CMake found none)";
    if (*kChromium == '\0' || !file_exists(kChromium))
        return "the browser scenario needs Debian's chromium (CMake found none)";
    if (!file_exists(std::string(kNodePath) + "/playwright-core/package.json"))
        return std::string("the browser scenario needs playwright-core in ") + kNodePath +
               " (the webview target's npm ci)";
    if (!file_exists(built_webview_dir() + "/join.html"))
        return "the browser scenario needs the built web viewer in " + built_webview_dir();
    return {};
}

BrowserInvitee::BrowserInvitee(std::string log_path) : log_path_(std::move(log_path)) {}

BrowserInvitee::~BrowserInvitee() {
    if (to_browser_ >= 0) {
        send("QUIT\n");
        ::close(to_browser_);
    }
    if (from_browser_ >= 0) ::close(from_browser_);
    if (pid_ > 0) {
        int status = 0;
        // The script closes Chromium and exits; whatever is left after that is killed.
        if (!wait_for_exit(pid_, 15s, status)) stop_process_tree(pid_, 2s);
    }
}

bool BrowserInvitee::open(const std::string& url, const std::string& user,
                          const std::string& password) {
    if (pid_ > 0) throw std::logic_error("the browser is already open");
    int in[2];
    int out[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0 ||
        ::pipe2(out, O_CLOEXEC) != 0)
        throw std::runtime_error("cannot make the browser's pipes");
    const std::vector<std::string> argv{kNode, script(), url, user};
    const std::vector<std::string> env = child_environment();
    std::vector<char*> c_argv;
    for (const auto& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
    c_argv.push_back(nullptr);
    std::vector<char*> c_env;
    for (const auto& e : env) c_env.push_back(const_cast<char*>(e.c_str()));
    c_env.push_back(nullptr);
    const int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        ::dup2(in[1], 0);
        ::dup2(out[1], 1);
        if (log >= 0) ::dup2(log, 2);
        ::signal(SIGPIPE, SIG_DFL);
        ::execve(c_argv[0], c_argv.data(), c_env.data());
        std::fprintf(stderr, "exec %s: %s\n", c_argv[0], std::strerror(errno));
        ::_exit(127);
    }
    if (log >= 0) ::close(log);
    ::close(in[1]);
    ::close(out[1]);
    to_browser_ = in[0];
    from_browser_ = out[0];
    if (!send(password + "\n")) {
        ADD_FAILURE() << "the browser script did not take the password:\n" << file_tail(log_path_);
        return false;
    }
    return await_answer("log in at the invite URL and see the invitation");
}

bool BrowserInvitee::click(const std::string& label) {
    return ask("CLICK " + label);
}

bool BrowserInvitee::terminal_shows(const std::string& text) {
    return ask("TERMINAL " + text);
}

bool BrowserInvitee::page_shows(const std::string& text) {
    return ask("PAGE " + text);
}

bool BrowserInvitee::type_line(const std::string& line) {
    return ask("TYPE " + line);
}

bool BrowserInvitee::ask(const std::string& command) {
    if (pid_ <= 0) throw std::logic_error("the browser is not open");
    if (command.find('\n') != std::string::npos) throw std::logic_error("one line per command");
    if (!send(command + "\n")) {
        ADD_FAILURE() << "the browser script is gone (" << command << "):\n"
                      << file_tail(log_path_);
        return false;
    }
    return await_answer(command);
}

bool BrowserInvitee::send(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t w =
            ::send(to_browser_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        done += static_cast<std::size_t>(w);
    }
    return true;
}

bool BrowserInvitee::await_answer(const std::string& what) {
    const auto deadline = Clock::now() + kAnswerTimeout;
    for (;;) {
        const auto newline = pending_.find('\n');
        if (newline != std::string::npos) {
            const std::string line = pending_.substr(0, newline);
            pending_.erase(0, newline + 1);
            if (line == "OK") return true;
            ADD_FAILURE() << "in the browser, \"" << what << "\" failed:\n"
                          << (line.rfind("FAIL ", 0) == 0 ? line.substr(5) : line);
            return false;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        pollfd p{from_browser_, POLLIN, 0};
        const int ready = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
        if (ready < 0 && errno == EINTR) continue;
        char buf[4096];
        const ssize_t r = ready > 0 ? ::read(from_browser_, buf, sizeof buf) : 0;
        if (r > 0) {
            pending_.append(buf, static_cast<std::size_t>(r));
            continue;
        }
        ADD_FAILURE() << "the browser did not answer (" << what << ") "
                      << (ready > 0 ? "and exited" : "within 60 s") << ":\n"
                      << file_tail(log_path_);
        return false;
    }
}

}  // namespace tandem::test
