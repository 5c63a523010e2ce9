#include "harness/paths.hpp"

#include "tandem/files.hpp"

#include <thread>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace tandem::test {

namespace {

// TANDEM_TEST_BIN_DIR: another tree's binaries (the sanitizer tree's ctest sets it when it runs
// this tree's tests against its own binaries, tests/CMakeLists.txt).
const std::string& bin_dir() {
    static const std::string dir = [] {
        const char* other = std::getenv("TANDEM_TEST_BIN_DIR");
        return std::string(other != nullptr && *other != '\0' ? other : TANDEM_BIN_DIR);
    }();
    return dir;
}

}  // namespace

std::string binary(const std::string& name) {
    return bin_dir() + "/" + name;
}

bool binaries_sanitized() {
    // The binaries' own tree says: <tree>/bin holds them, <tree>/CMakeCache.txt how they built.
    std::ifstream cache(bin_dir() + "/../CMakeCache.txt");
    for (std::string line; std::getline(cache, line);)
        if (line == "TANDEM_SANITIZE:BOOL=ON") return true;
    return false;
}

std::string source_path(const std::string& relative) {
    return std::string(TANDEM_SOURCE_DIR) + "/" + relative;
}

std::string current_login() {
    if (passwd* pw = ::getpwuid(::geteuid())) return pw->pw_name;
    throw std::runtime_error("no passwd entry for the current user");
}

bool file_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

std::string read_file(const std::string& path) {
    return ::tandem::read_file(path, 256 * 1024 * 1024);  // logs and recordings of a test run
}

void write_file(const std::string& path, const std::string& content, unsigned mode) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + path);
    out << content;
    out.close();
    ::chmod(path.c_str(), mode);
}

std::string printable(const std::string& bytes) {
    std::string out;
    for (unsigned char c : bytes) {
        if (c == '\n') {
            out += "\\n\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

std::string file_tail(const std::string& path, std::size_t max_bytes) {
    if (!file_exists(path)) return "(" + path + " does not exist)";
    std::string all = read_file(path);
    if (all.size() > max_bytes) all = "..." + all.substr(all.size() - max_bytes);
    return all;
}

bool file_appears(const std::string& path, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (file_exists(path)) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling the host's work
    }
    return file_exists(path);
}

}  // namespace tandem::test
