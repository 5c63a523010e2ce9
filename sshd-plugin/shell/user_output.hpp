// Writing to the user's terminal outside the relay: whole messages, even when the fd happens
// to be nonblocking. User-facing text only; diagnostics go to the log.
#pragma once

#include <string_view>

#include "tandem/errors.hpp"

namespace tandem {

// Writes everything (waits for writability on EAGAIN). False when the reader is gone.
bool write_all(int fd, std::string_view bytes);
// The line and a newline, on stdout.
void print_line(std::string_view line);
// user_message(code) on its own line, on stderr.
void print_error(ErrorCode code);

}  // namespace tandem
