#include "tandem/process_liveness.hpp"

#include <cerrno>
#include <csignal>
#include <fstream>
#include <string>

namespace tandem {

bool process_runs(pid_t pid, std::string_view name) {
    if (pid <= 0) return false;
    if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
    const std::string dir = "/proc/" + std::to_string(pid);
    std::string comm;
    if (!std::getline(std::ifstream(dir + "/comm"), comm)) return false;  // exited meanwhile
    if (comm != name.substr(0, 15)) return false;                         // the pid was reused
    // /proc/PID/stat: "PID (COMM) STATE ..."; the name may hold spaces or parentheses.
    std::string stat;
    std::getline(std::ifstream(dir + "/stat"), stat);
    const auto close = stat.rfind(')');
    if (close == std::string::npos || close + 2 >= stat.size()) return false;
    const char state = stat[close + 2];
    return state != 'Z' && state != 'X';  // a zombie's hook has ended
}

}  // namespace tandem
