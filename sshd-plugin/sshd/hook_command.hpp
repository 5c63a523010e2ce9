// How tandem-sshd starts the session hook (tandem-shell): its path, argv and a clean
// environment built only from what the client may influence (TERM, LANG/LC_*, the exec
// command) and facts about the connection. Pure functions, header-only so unit tests use them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tandem/hook_process.hpp"

namespace tandem::sshd {

inline constexpr std::size_t max_command_bytes = 4096;  // exec request
inline constexpr std::size_t max_env_vars = 32;         // accepted env requests per channel
inline constexpr std::size_t max_env_name_bytes = 64;
inline constexpr std::size_t max_env_value_bytes = 1024;
inline constexpr std::size_t max_term_bytes = 64;
inline constexpr const char* hook_search_path = "/usr/local/bin:/usr/bin:/bin";

struct PeerAddresses {
    std::string client_ip;
    std::uint16_t client_port = 0;
    std::string server_ip;
    std::uint16_t server_port = 0;
};

struct ProcessOwner {
    std::string name;
    std::string home;
};

struct HookRequest {
    std::string user;                                      // the authenticated bastion user
    bool join = false;                                     // logged in as `join` (invitee)
    std::optional<std::string> command;                    // exec request; nullopt for shell
    std::string term;                                      // from pty-req; "" = none
    std::string tty_path;                                  // "" = no pty
    std::vector<std::pair<std::string, std::string>> env;  // accepted LANG / LC_*
    PeerAddresses peer;
};

// Only locale variables pass from the client, as OpenSSH's default AcceptEnv does.
inline bool is_accepted_env_name(std::string_view name) {
    if (name == "LANG") return true;
    if (name.size() <= 3 || name.size() > max_env_name_bytes || name.substr(0, 3) != "LC_")
        return false;
    for (char c : name.substr(3))
        if (!((c >= 'A' && c <= 'Z') || c == '_')) return false;
    return true;
}

// Printable ASCII without spaces, bounded: enough for any locale name, never a control byte.
inline bool is_acceptable_env_value(std::string_view value) {
    if (value.size() > max_env_value_bytes) return false;
    for (unsigned char c : value)
        if (c <= 0x20 || c >= 0x7f) return false;
    return true;
}

// Terminal names are short identifiers ("xterm-256color", "screen.xterm", "vt100+").
inline bool is_acceptable_term(std::string_view term) {
    if (term.empty() || term.size() > max_term_bytes) return false;
    for (char c : term) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '+';
        if (!ok) return false;
    }
    return true;
}

// resolve_hook_path is shared with the broker (web O&M sessions start the hook too).
using tandem::resolve_hook_path;

// tandem-shell --config FILE [--section.key=value ...] --user NAME, and its environment.
inline HookInvocation build_hook_invocation(
    const std::string& hook_path, const std::string& config_path,
    const std::vector<std::pair<std::string, std::string>>& overrides, const HookRequest& request,
    const ProcessOwner& owner) {
    HookInvocation out;
    out.path = hook_path;
    out.argv.push_back("tandem-shell");
    if (!config_path.empty()) {
        out.argv.push_back("--config");
        out.argv.push_back(config_path);
    }
    for (const auto& [key, value] : overrides) out.argv.push_back("--" + key + "=" + value);
    out.argv.push_back("--user");
    out.argv.push_back(request.user);
    if (request.join) out.argv.push_back("--join");

    const auto& peer = request.peer;
    out.env.push_back(std::string("PATH=") + hook_search_path);
    out.env.push_back("TERM=" + (request.term.empty() ? std::string("dumb") : request.term));
    for (const auto& [name, value] : request.env)
        if (is_accepted_env_name(name)) out.env.push_back(name + "=" + value);
    if (request.command) out.env.push_back("SSH_ORIGINAL_COMMAND=" + *request.command);
    out.env.push_back("SSH_CONNECTION=" + peer.client_ip + " " + std::to_string(peer.client_port) +
                      " " + peer.server_ip + " " + std::to_string(peer.server_port));
    out.env.push_back("SSH_CLIENT=" + peer.client_ip + " " + std::to_string(peer.client_port) +
                      " " + std::to_string(peer.server_port));
    if (!request.tty_path.empty()) out.env.push_back("SSH_TTY=" + request.tty_path);
    out.env.push_back("USER=" + owner.name);
    out.env.push_back("LOGNAME=" + owner.name);
    out.env.push_back("HOME=" + owner.home);
    out.env.push_back("TANDEM_FRONTEND=tandem-sshd");
    return out;
}

}  // namespace tandem::sshd
