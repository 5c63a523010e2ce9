// tandem-admin from argv to exit code: split global options, parse, execute, and turn any
// failure into one line on err. 0 on success, 1 when the command failed, 2 on bad usage.
#pragma once

#include <iosfwd>

namespace tandem::admin {

int run(int argc, const char* const* argv, std::istream& in, std::ostream& out, std::ostream& err,
        bool interactive_stdin);

}  // namespace tandem::admin
