#include "tandem/version.hpp"

#include <ostream>

#ifndef TANDEM_GIT_COMMIT
#define TANDEM_GIT_COMMIT ""
#endif

namespace tandem {

std::string_view build_commit() {
    return TANDEM_GIT_COMMIT;
}

std::string version_line(std::string_view program) {
    std::string line = std::string(program) + " " + TANDEM_VERSION;
    if (!build_commit().empty()) line += " (git " + std::string(build_commit()) + ")";
    return line;
}

std::optional<int> answer_version_or_help(int argc, const char* const* argv,
                                          std::string_view program, std::string_view usage,
                                          std::ostream& out) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i] ? argv[i] : "";
        if (arg == "--") break;
        if (arg == "--version") {
            out << version_line(program) << "\n";
            return 0;
        }
        if (arg == "--help" || arg == "-h") {
            out << usage;
            return 0;
        }
    }
    return std::nullopt;
}

}  // namespace tandem
