// Creating files that must not clobber anything and may hold secrets. Private to core.
#pragma once

#include <sys/types.h>
#include <string>
#include <string_view>

namespace tandem {

// Creates path (O_EXCL: never overwrites, never follows a planted symlink) with exactly
// `mode` whatever the umask, writes content and fsyncs. Throws std::runtime_error
// ("cannot create PATH: reason"); a half-written file is removed.
void write_new_file(const std::string& path, std::string_view content, mode_t mode);

// Reads a whole file of at most max_bytes. Throws std::runtime_error ("cannot read PATH: reason").
std::string read_small_file(const std::string& path, std::size_t max_bytes);

}  // namespace tandem
