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

bool is_valid_via(const std::string& via) {
    return via == "ssh" || via == "web" || via == "drop-in";
}

std::optional<ShellArguments> parse_shell_arguments(const std::vector<std::string>& args,
                                                    std::string& error) {
    std::optional<std::string> user;
    bool join = false;
    std::optional<std::string> via;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string value;
        if (args[i] == "--join") {
            join = true;
            continue;
        }
        if (args[i] == "--via" || args[i].rfind("--via=", 0) == 0) {
            if (args[i] == "--via" && i + 1 >= args.size()) {
                error = "--via needs a value";
                return std::nullopt;
            }
            const std::string v = args[i] == "--via" ? args[++i] : args[i].substr(6);
            if (via || !is_valid_via(v)) {
                error = via ? "--via given twice" : "--via must be ssh, web or drop-in";
                return std::nullopt;
            }
            via = v;
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
    return ShellArguments{*user, join, via.value_or("ssh")};
}

}  // namespace tandem
