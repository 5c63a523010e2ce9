// Unique strings for tests to look for, and shell commands that print them without the
// typed command line (which the terminal echoes) containing them: echo m''arker-123 prints
// "marker-123" while its echo shows "m''arker-123", so seeing the marker proves the output.
#pragma once

#include <string>

namespace tandem::test {

std::string unique_marker(const std::string& prefix = "marker");
std::string print_command(const std::string& marker);

}  // namespace tandem::test
