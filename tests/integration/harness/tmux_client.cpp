#include "harness/tmux_client.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "harness/paths.hpp"

namespace tandem::test {

namespace {

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

std::string unique_socket_name() {
    static std::atomic<int> counter{0};
    return "tandem-it-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

}  // namespace

CommandResult TmuxClient::tmux(std::vector<std::string> args) const {
    args.insert(args.begin(), {"tmux", "-L", socket_, "-f", "/dev/null"});
    return run_command(args, {}, 20s);
}

TmuxClient::TmuxClient(const SshTarget& target, int cols, int rows, bool record_output)
    : socket_(unique_socket_name()) {
    std::string command;
    for (const auto& a : ssh_argv(target)) command += shell_quote(a) + " ";
    // remain-on-exit must be on before ssh can exit, so the session starts with a shell-less
    // placeholder option set via the command-line sequence (\; chains tmux commands).
    std::vector<std::string> argv{"tmux",
                                  "-L",
                                  socket_,
                                  "-f",
                                  "/dev/null",
                                  "new-session",
                                  "-d",
                                  "-x",
                                  std::to_string(cols),
                                  "-y",
                                  std::to_string(rows),
                                  "-s",
                                  "it",
                                  "env -u SSH_AUTH_SOCK " + command,
                                  ";",
                                  "set-option",
                                  "-t",
                                  "it",
                                  "remain-on-exit",
                                  "on",
                                  ";",
                                  "set-option",
                                  "-t",
                                  "it",
                                  "status",
                                  "off"};
    if (record_output) {
        // In the same tmux invocation as new-session, so no output can come before the pipe.
        const char* base = std::getenv("TMPDIR");
        output_path_ = std::string(base && *base ? base : "/tmp") + "/" + socket_ + ".out";
        argv.insert(argv.end(),
                    {";", "pipe-pane", "-t", "it", "cat >> " + shell_quote(output_path_)});
    }
    auto r = run_command(argv, {}, 20s);
    if (r.exit_code != 0) throw std::runtime_error("tmux new-session failed: " + r.describe());
}

TmuxClient::~TmuxClient() {
    tmux({"kill-server"});
    if (!output_path_.empty()) std::remove(output_path_.c_str());
}

pid_t TmuxClient::pane_pid() const {
    auto r = tmux({"display-message", "-p", "-t", "it", "#{pane_pid}"});
    try {
        return static_cast<pid_t>(std::stol(r.out));
    } catch (const std::exception&) {
        return -1;
    }
}

std::string TmuxClient::raw_output() const {
    if (output_path_.empty() || !file_exists(output_path_)) return {};
    return read_file(output_path_);
}

std::vector<std::string> TmuxClient::screen() const {
    std::vector<std::string> rows;
    std::istringstream in(tmux({"capture-pane", "-p", "-t", "it"}).out);
    for (std::string line; std::getline(in, line);) rows.push_back(line);
    return rows;
}

std::string TmuxClient::screen_with_attributes() const {
    return tmux({"capture-pane", "-p", "-e", "-t", "it"}).out;
}

std::string TmuxClient::screen_text() const {
    return tmux({"capture-pane", "-p", "-t", "it"}).out;
}

bool TmuxClient::expect_on_screen(const std::string& text, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    std::string last;
    for (;;) {
        last = screen_text();
        if (last.find(text) != std::string::npos) return true;
        if (Clock::now() >= deadline) break;
        std::this_thread::sleep_for(50ms);  // polling the screen for a condition
    }
    ADD_FAILURE() << "the screen did not show \"" << text << "\" within " << timeout.count()
                  << " ms; it shows:\n-----\n"
                  << last << "-----";
    return false;
}

int TmuxClient::expect_row_matching(const std::string& pattern, std::chrono::milliseconds timeout) {
    std::regex re(pattern);
    auto deadline = Clock::now() + timeout;
    std::vector<std::string> rows;
    for (;;) {
        rows = screen();
        for (std::size_t i = 0; i < rows.size(); ++i)
            if (std::regex_search(rows[i], re)) return static_cast<int>(i);
        if (Clock::now() >= deadline) break;
        std::this_thread::sleep_for(50ms);
    }
    std::string shown;
    for (const auto& r : rows) shown += r + "\n";
    ADD_FAILURE() << "no row of the screen matched /" << pattern << "/ within " << timeout.count()
                  << " ms; it shows:\n-----\n"
                  << shown << "-----";
    return -1;
}

bool TmuxClient::wait_until_absent(const std::string& text, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    std::string last;
    for (;;) {
        last = screen_text();
        if (last.find(text) == std::string::npos) return true;
        if (Clock::now() >= deadline) break;
        std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "the screen still shows \"" << text << "\" after " << timeout.count()
                  << " ms:\n-----\n"
                  << last << "-----";
    return false;
}

std::string TmuxClient::settled_screen(std::chrono::milliseconds quiet,
                                       std::chrono::milliseconds timeout) const {
    auto deadline = Clock::now() + timeout;
    std::string last = screen_with_attributes();
    auto stable_since = Clock::now();
    while (Clock::now() < deadline) {
        std::this_thread::sleep_for(50ms);
        std::string now = screen_with_attributes();
        if (now != last) {
            last = now;
            stable_since = Clock::now();
        } else if (Clock::now() - stable_since >= quiet) {
            break;
        }
    }
    return last;
}

TmuxClient::Cursor TmuxClient::cursor() const {
    auto r = tmux({"display-message", "-p", "-t", "it", "#{cursor_x} #{cursor_y} #{cursor_flag}"});
    Cursor c;
    int flag = 1;
    if (std::sscanf(r.out.c_str(), "%d %d %d", &c.x, &c.y, &flag) == 3) c.visible = flag != 0;
    return c;
}

void TmuxClient::send_text(const std::string& text) {
    tmux({"send-keys", "-t", "it", "-l", text});
}

void TmuxClient::send_key(const std::string& key) {
    tmux({"send-keys", "-t", "it", key});
}

void TmuxClient::resize(int cols, int rows) {
    tmux({"resize-window", "-t", "it", "-x", std::to_string(cols), "-y", std::to_string(rows)});
}

bool TmuxClient::pane_dead() const {
    auto r = tmux({"display-message", "-p", "-t", "it", "#{pane_dead}"});
    return r.out.rfind("1", 0) == 0;
}

}  // namespace tandem::test
