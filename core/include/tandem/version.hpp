// What every binary answers to --version, and the shared handling of --version and --help.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace tandem {

// "tandem-sshd 0.1.0 (git 1a2b3c4d5e6f)"; without " (git ...)" when not built from a checkout.
std::string version_line(std::string_view program);

// The git commit the build was configured from ("" when unknown).
std::string_view build_commit();

// When argv[1..] holds --version or --help (-h): prints the version line or `usage` to out
// and returns the exit status (0). Otherwise nullopt and nothing is printed.
std::optional<int> answer_version_or_help(int argc, const char* const* argv,
                                          std::string_view program, std::string_view usage,
                                          std::ostream& out);

}  // namespace tandem
