#include "shell_arguments.hpp"

namespace tandem {

bool is_valid_user_name(const std::string& name) {
    if (name.empty() || name.size() > 64 || name[0] == '-') return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

std::optional<ShellArguments> parse_shell_arguments(const std::vector<std::string>& args,
                                                    std::string& error) {
    std::optional<std::string> user;
    bool join = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string value;
        if (args[i] == "--join") {
            join = true;
            continue;
        }
        if (args[i] == "--user" && i + 1 < args.size()) {
            value = args[++i];
        } else if (args[i].rfind("--user=", 0) == 0) {
            value = args[i].substr(7);
        } else {
            error = "unexpected argument '" + args[i] + "'";
            return std::nullopt;
        }
        if (user) {
            error = "--user given twice";
            return std::nullopt;
        }
        if (!is_valid_user_name(value)) {
            error = "malformed --user value";
            return std::nullopt;
        }
        user = value;
    }
    if (!user) {
        error = "--user NAME is required";
        return std::nullopt;
    }
    return ShellArguments{*user, join};
}

}  // namespace tandem
