// tandem-keys: OpenSSH's AuthorizedKeysCommand for the drop-in mode (docs/openssh-mode.md).
// sshd runs `tandem-keys [--config FILE] %u %t %k` for every key offered to a service login;
// the answer is the key's owner's forced command, so the key (never the client) names the
// person. Anything doubtful prints nothing: sshd then refuses the key.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tandem/config.hpp"

namespace tandem {

struct KeysRequest {
    std::string unix_user;  // %u: the login sshd is authenticating
    std::string key_type;   // %t: "ssh-ed25519", ...
    std::string key_blob;   // %k: base64, as in authorized_keys
};

// The three positional arguments, checked for shape and size. nullopt (reason in `error`)
// when they are missing, extra or malformed.
std::optional<KeysRequest> parse_keys_request(const std::vector<std::string>& args,
                                              std::string& error);

// ^[a-z_][a-z0-9_.-]{0,31}$: safe to put on a command line unquoted.
bool is_safe_person_name(const std::string& name);
// Characters that mean nothing to sh or to sshd's command="..." quoting.
bool is_shell_safe_path(const std::string& path);

// The authorized_keys line for the request, or nullopt with the reason in `why` (another
// Unix user, an unknown key, a name or path unfit for a command line). Throws StoreError
// when the store cannot be read.
std::optional<std::string> authorized_keys_line(const Config& config, const KeysRequest& request,
                                                std::string& why);

// The whole program: `out` receives what goes to stdout. Always returns 0 (sshd reads a
// non-zero status as "no keys" anyway; 0 keeps its log free of noise), logging every refusal.
int run_keys(int argc, const char* const* argv, std::string& out);

}  // namespace tandem
