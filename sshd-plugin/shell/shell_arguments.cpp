#include "shell_arguments.hpp"

#include "tandem/session_uuid.hpp"

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

namespace {

// An IPv4 or IPv6 address as the broker reports a browser's: hex digits, '.', ':'.
bool is_address(const std::string& text) {
    if (text.empty() || text.size() > 64) return false;
    for (char c : text) {
        const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                        (c >= 'A' && c <= 'F') || c == '.' || c == ':';
        if (!ok) return false;
    }
    return true;
}

}  // namespace

std::optional<ShellArguments> parse_shell_arguments(const std::vector<std::string>& args,
                                                    std::string& error) {
    std::optional<std::string> user;
    bool join = false;
    std::string web_session, web_from;
    std::optional<std::string> via;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string value;
        if (args[i] == "--join") {
            join = true;
            continue;
        }
        if ((args[i] == "--web" || args[i] == "--from") && i + 1 < args.size()) {
            std::string& target = args[i] == "--web" ? web_session : web_from;
            if (!target.empty()) {
                error = args[i] + " given twice";
                return std::nullopt;
            }
            target = args[++i];
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
    if (!web_session.empty() || !web_from.empty()) {
        if (!is_session_uuid(web_session) || !is_address(web_from) || join) {
            error = "--web needs a session UUID and --from an address (and no --join)";
            return std::nullopt;
        }
    }
    return ShellArguments{*user, join, web_session.empty() ? via.value_or("ssh") : "web",
                          web_session, web_from};
}

}  // namespace tandem
