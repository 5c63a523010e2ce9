#include "bastion_prompt.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <optional>

#include "bastion_listings.hpp"
#include "event_loop.hpp"
#include "host_session.hpp"
#include "tandem/log.hpp"
#include "tandem/trim.hpp"
#include "user_output.hpp"

namespace tandem {
namespace {

constexpr const char* banner = "tandem bastion \xe2\x80\x94 type help";
constexpr const char* prompt = "tandem> ";

constexpr const char* help_text =
    "hosts               list the accounts you may use\n"
    "connect LOGIN@HOST  open a terminal on an account, e.g. connect root@web01\n"
    "share LOGIN@HOST    connect and share the session at once (prints the invite)\n"
    "sessions            list your recent sessions\n"
    "help                show this list\n"
    "exit                leave the bastion (^D does the same)\n";

std::pair<std::string_view, std::string_view> split_word(std::string_view line) {
    line = trim(line);
    const auto space = line.find_first_of(" \t");
    if (space == std::string_view::npos) return {line, {}};
    return {line.substr(0, space), trim(line.substr(space))};
}

std::string host_address(const Host& host) {
    if (host.address.find(':') != std::string::npos)
        return "[" + host.address + "]:" + std::to_string(host.port);
    return host.address + ":" + std::to_string(host.port);
}

}  // namespace

int BastionPrompt::run() {
    print_line(banner);
    int status = 0;
    for (;;) {
        write_all(STDOUT_FILENO, prompt);
        const Input input = read_line();
        switch (input.kind) {
            case Input::Kind::end:
                write_all(STDOUT_FILENO, "\n");
                return 0;
            case Input::Kind::interrupted:
                write_all(STDOUT_FILENO, "\n");
                continue;
            case Input::Kind::too_long:
                print_error(ErrorCode::T_304_unknown_command);
                continue;
            case Input::Kind::line:
                if (!execute(input.text, status)) return 0;
                continue;
        }
    }
}

int BastionPrompt::run_command(std::string_view command) {
    const auto [word, rest] = split_word(command);
    int status = 0;
    if (word == "help" || word == "hosts" || word == "sessions" || word == "exit" ||
        word == "connect" || word == "share") {
        execute(command, status);
        return status;
    }
    return run_host_session(context_, trim(command));
}

BastionPrompt::Input BastionPrompt::read_line() {
    std::optional<Input> signalled;
    bool readable = false;
    EventLoop loop;
    loop.watch(context_.signals.fd(), POLLIN, [&](short) {
        const auto signals = context_.signals.drain();
        if (signals.terminate) {
            signalled = Input{Input::Kind::end, {}};
        } else if (signals.interrupt) {
            pending_.clear();
            discarding_ = false;
            signalled = Input{Input::Kind::interrupted, {}};
        }
    });
    loop.watch(STDIN_FILENO, POLLIN, [&](short) { readable = true; });
    for (;;) {
        const auto newline = pending_.find('\n');
        if (newline != std::string::npos) {
            std::string line = pending_.substr(0, newline);
            pending_.erase(0, newline + 1);
            if (discarding_) {
                discarding_ = false;
                return {Input::Kind::too_long, {}};
            }
            return {Input::Kind::line, std::move(line)};
        }
        if (pending_.size() > max_line) {
            pending_.clear();
            discarding_ = true;
        }
        readable = false;
        signalled.reset();
        if (!loop.run_once()) return {Input::Kind::end, {}};
        if (signalled) return *signalled;
        if (!readable) continue;
        char buffer[4096];
        // A terminal in canonical mode hands over one line per read. A pipe would hand over
        // what follows `connect` too, which belongs to the host: read it a byte at a time.
        const std::size_t want = context_.interactive ? sizeof buffer : 1;
        const ssize_t n = ::read(STDIN_FILENO, buffer, want);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) {
            if (!pending_.empty() && !discarding_) {  // a last line without newline
                std::string line;
                line.swap(pending_);
                return {Input::Kind::line, std::move(line)};
            }
            return {Input::Kind::end, {}};
        }
        pending_.append(buffer, static_cast<std::size_t>(n));
    }
}

bool BastionPrompt::execute(std::string_view line, int& status) {
    const auto [word, rest] = split_word(line);
    status = 0;
    try {
        if (word.empty()) return true;
        if (word == "exit") return false;
        if (word == "help") {
            write_all(STDOUT_FILENO, help_text);
        } else if (word == "hosts") {
            list_hosts();
        } else if (word == "sessions") {
            list_sessions();
        } else if (word == "connect") {
            status = run_host_session(context_, rest);
        } else if (word == "share") {
            status = run_host_session(context_, rest, true);
        } else {
            print_error(ErrorCode::T_304_unknown_command);
            status = 1;
        }
    } catch (const StoreError& e) {
        log::error(std::string("store: ") + e.what());
        print_error(ErrorCode::T_102_store_unavailable);
        status = 1;
    }
    return true;
}

void BastionPrompt::list_hosts() {
    std::map<std::string, std::string> addresses;
    for (const auto& host : context_.store.list_hosts()) addresses[host.name] = host_address(host);
    std::vector<GrantedAccount> accounts;
    for (const auto& account : context_.store.granted_accounts(context_.user.id))
        accounts.push_back({account.name(), addresses[account.host_name]});
    write_all(STDOUT_FILENO, format_hosts(accounts));
}

void BastionPrompt::list_sessions() {
    constexpr std::size_t shown = 20;
    std::vector<SessionRecord> mine;
    for (auto& session : context_.store.list_sessions(1000)) {
        if (session.user_id != context_.user.id) continue;
        mine.push_back(std::move(session));
        if (mine.size() == shown) break;
    }
    write_all(STDOUT_FILENO, format_sessions(mine, now_unix()));
}

}  // namespace tandem
