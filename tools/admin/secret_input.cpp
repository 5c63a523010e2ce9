#include <pwd.h>
#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "admin_commands.hpp"

namespace tandem::admin {
namespace {

// Turns terminal echo off for its lifetime.
class EchoOff {
  public:
    EchoOff() {
        if (::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
        termios quiet = saved_;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
    ~EchoOff() {
        if (active_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

  private:
    termios saved_{};
    bool active_ = false;
};

// One line of at most max_length bytes; longer input is an error, never silently cut.
std::string read_line(std::istream& in, std::size_t max_length, const std::string& what) {
    std::string line;
    char c;
    while (in.get(c) && c != '\n') {
        if (line.size() > max_length)
            throw AdminError("the " + what + " is longer than " + std::to_string(max_length) +
                             " bytes");
        line += c;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() > max_length)
        throw AdminError("the " + what + " is longer than " + std::to_string(max_length) +
                         " bytes");
    return line;
}

}  // namespace

std::string read_secret(Context& ctx, const std::string& what, std::size_t max_length) {
    std::string secret;
    if (ctx.interactive) {
        EchoOff quiet;
        std::cerr << "New " << what << ": " << std::flush;
        secret = read_line(ctx.in, max_length, what);
        std::cerr << "\nRepeat the " << what << ": " << std::flush;
        const std::string again = read_line(ctx.in, max_length, what);
        std::cerr << "\n";
        if (again != secret) throw AdminError("the two " + what + "s differ");
    } else {
        secret = read_line(ctx.in, max_length, what);
    }
    if (secret.empty()) throw AdminError("no " + what + " on standard input");
    return secret;
}

std::string invoking_user() {
    const uid_t uid = ::getuid();
    if (const passwd* pw = ::getpwuid(uid); pw && pw->pw_name) return pw->pw_name;
    return "uid " + std::to_string(uid);
}

}  // namespace tandem::admin
