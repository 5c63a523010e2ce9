// Where the binaries and scripts under test live, and who runs the tests.
#pragma once

#include <chrono>
#include <string>

namespace tandem::test {

// TANDEM_BIN_DIR/NAME, e.g. binary("tandem-admin"); TANDEM_TEST_BIN_DIR in the environment
// names another tree's binaries.
std::string binary(const std::string& name);
// Whether those binaries carry ASan and UBSan.
bool binaries_sanitized();
// TANDEM_SOURCE_DIR/RELATIVE, e.g. source_path("scripts/managed-host.sh").
std::string source_path(const std::string& relative);
// The current Unix user's name (the managed host's login), as `id -un` prints it.
std::string current_login();
bool file_exists(const std::string& path);
// Polls until `path` exists (a file the host creates when a command really ran there).
bool file_appears(const std::string& path,
                  std::chrono::milliseconds timeout = std::chrono::seconds(15));
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content, unsigned mode = 0644);
// The last max_bytes of a file, made printable (for failure messages).
std::string file_tail(const std::string& path, std::size_t max_bytes = 3000);
// Bytes with control characters shown as \r, \n, \x1b ... (keeps newlines for readability).
std::string printable(const std::string& bytes);

}  // namespace tandem::test
