// Reading and creating whole files: the one reader every component uses (bounded, so a huge or
// endless file cannot exhaust memory) and the creator for files that may hold secrets.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace tandem {

// Reads a whole file of at most max_bytes. Throws std::runtime_error ("cannot read PATH:
// reason", also for a directory or a file larger than max_bytes).
std::string read_file(const std::string& path, std::size_t max_bytes);

// Creates path (O_EXCL: never overwrites, never follows a planted symlink) with exactly
// `mode` whatever the umask, writes content and fsyncs. Throws std::runtime_error
// ("cannot create PATH: reason"); a half-written file is removed.
void write_new_file(const std::string& path, std::string_view content, mode_t mode);

// True when something (a file, a folder, even a dangling symlink) is at path: lstat, so a
// planted symlink counts as taken.
bool path_exists(const std::string& path);

}  // namespace tandem
