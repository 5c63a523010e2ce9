#include "tandem/log.hpp"

#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <ctime>
#include <mutex>

namespace tandem::log {
namespace {

constexpr std::size_t kMaxMessage = 4096;  // one line per event; longer messages are cut

struct State {
    std::mutex mutex;
    std::string program = "tandem";
    Sink sink = Sink::stderr_stream;
    // Before init(): only warnings and errors, so a library caller that never chose a sink
    // does not chatter on a terminal it may not own. Read without the lock on every call.
    std::atomic<Level> level{Level::warn};
    int fd = -1;  // file sink
};

State& state() {
    static State s;
    return s;
}

const char* level_name(Level level) {
    switch (level) {
        case Level::debug:
            return "debug";
        case Level::info:
            return "info";
        case Level::warn:
            return "warn";
        case Level::error:
            return "error";
    }
    return "info";
}

int syslog_priority(Level level) {
    switch (level) {
        case Level::debug:
            return LOG_DEBUG;
        case Level::info:
            return LOG_INFO;
        case Level::warn:
            return LOG_WARNING;
        case Level::error:
            return LOG_ERR;
    }
    return LOG_INFO;
}

// Control characters are escaped so a logged peer string can never forge a log line.
std::string sanitize(std::string_view message) {
    std::string out;
    out.reserve(std::min(message.size(), kMaxMessage));
    for (unsigned char c : message) {
        if (out.size() >= kMaxMessage) {
            out += "...";
            break;
        }
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c < 0x20 || c == 0x7f) {
            static const char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0xf];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

// One write() per line: with O_APPEND, lines from several processes never interleave.
void write_all(int fd, const std::string& line) {
    std::size_t done = 0;
    while (done < line.size()) {
        const ssize_t n = ::write(fd, line.data() + done, line.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;  // nowhere left to report a failing log sink
        }
        done += static_cast<std::size_t>(n);
    }
}

std::string timestamp() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

void close_sink(State& s) {
    if (s.fd >= 0) ::close(s.fd);
    s.fd = -1;
    if (s.sink == Sink::syslog) ::closelog();
}

}  // namespace

void init(std::string_view program, Sink sink, Level level, const std::string& path) {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    close_sink(s);
    s.program = std::string(program);
    s.level = level;
    s.sink = sink;
    if (sink == Sink::file) {
        s.fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
        if (s.fd < 0) s.sink = Sink::stderr_stream;  // better a visible log than none
    } else if (sink == Sink::syslog) {
        // openlog keeps the pointer: s.program lives as long as the process.
        ::openlog(s.program.c_str(), LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
    }
}

void init_from_config(std::string_view program, const std::string& log_file,
                      const std::string& level, Sink fallback) {
    if (!log_file.empty())
        init(program, Sink::file, parse_level(level), log_file);
    else
        init(program, fallback, parse_level(level), {});
}

Level parse_level(std::string_view text) {
    if (text == "debug") return Level::debug;
    if (text == "warn" || text == "warning") return Level::warn;
    if (text == "error") return Level::error;
    return Level::info;
}

void write(Level level, std::string_view message) {
    auto& s = state();
    if (level < s.level) return;
    const std::string clean = sanitize(message);
    std::lock_guard lock(s.mutex);
    if (s.sink == Sink::syslog) {
        ::syslog(syslog_priority(level), "%s", clean.c_str());
        return;
    }
    std::string line = timestamp();
    line += ' ';
    line += s.program;
    line += '[';
    line += std::to_string(::getpid());
    line += "] ";
    line += level_name(level);
    line += ": ";
    line += clean;
    line += '\n';
    write_all(s.sink == Sink::file && s.fd >= 0 ? s.fd : STDERR_FILENO, line);
}

}  // namespace tandem::log
