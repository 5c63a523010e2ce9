// Minimal leveled logging. Daemons log to stderr (journald adds the timestamp and unit);
// tandem-shell owns the user's terminal, so it logs to syslog or a file instead.
// Never log secrets: tokens, passwords, private keys.
// Before init() is called, warn and error lines go to stderr and nothing else is written.
#pragma once

#include <string>
#include <string_view>

namespace tandem::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

enum class Sink { stderr_stream, syslog, file };

// program: "tandem-sshd" etc. path is used with Sink::file (appended, O_APPEND).
void init(std::string_view program, Sink sink, Level level, const std::string& path = {});
// Picks the sink from config: file when log_file is set, else the given fallback.
void init_from_config(std::string_view program, const std::string& log_file,
                      const std::string& level, Sink fallback);
Level parse_level(std::string_view text);  // unknown -> info

void write(Level level, std::string_view message);
inline void debug(std::string_view m) {
    write(Level::debug, m);
}
inline void info(std::string_view m) {
    write(Level::info, m);
}
inline void warn(std::string_view m) {
    write(Level::warn, m);
}
inline void error(std::string_view m) {
    write(Level::error, m);
}

}  // namespace tandem::log
