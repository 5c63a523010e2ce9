// Whether a process recorded earlier (a session hook's pid in the store) still runs the same
// program: a pid that is gone, a zombie, or reused by another program counts as gone.
#pragma once

#include <sys/types.h>

#include <string_view>

namespace tandem {

// `name` is compared with the kernel's short program name (/proc/PID/comm, 15 characters).
bool process_runs(pid_t pid, std::string_view name);

}  // namespace tandem
