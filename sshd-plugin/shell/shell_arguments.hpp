// tandem-shell's own arguments (after --config and --section.key=value are taken out):
// --user NAME is the only identity it accepts; never the environment or typed data.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace tandem {

struct ShellArguments {
    std::string user;
    bool join = false;  // `join@bastion TOKEN`: watch a shared session (the token is the command)
    // How the person came in, recorded with the session (--via; tandem-sshd's hook: ssh,
    // OpenSSH drop-in mode: drop-in, a browser session started by the broker: web).
    std::string via = "ssh";
    // A web O&M session started by the broker for a browser creator: the session's UUID (the
    // broker names it, so it can find the session when the hook registers) and the browser's
    // address. Both empty for SSH logins.
    std::string web_session;
    std::string web_from;
};

// nullopt (with a reason in `error`) when --user is missing, repeated or malformed, or an
// unknown argument is present. `--web UUID --from ADDRESS` marks a web O&M session.
std::optional<ShellArguments> parse_shell_arguments(const std::vector<std::string>& args,
                                                    std::string& error);

bool is_valid_via(const std::string& via);  // ssh, web or drop-in

// Letters, digits, '.', '_', '-'; 1..64 characters; not starting with '-'.
bool is_valid_user_name(const std::string& name);

}  // namespace tandem
