// A self-contained tandem instance in one directory (`tandem-admin init --dir DIR`):
// tandem.conf with absolute paths into DIR, the store, tandem-sshd's host key, the invite
// signing key pair, a self-signed TLS certificate, recordings/, the broker socket path and
// the log file.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tandem/config.hpp"

namespace tandem {

struct Instance {
    std::string dir;          // absolute
    std::string config_path;  // DIR/tandem.conf
    Config config;            // as written to config_path
    std::string ssh_host_key_fingerprint;
};

// Creates the instance. `overrides` (--section.key=value from the command line) are applied
// on top of the instance's own paths and written into tandem.conf. Never overwrites anything:
// throws std::runtime_error when DIR/tandem.conf (or any file it would create) exists, and
// TandemError(T_101) for a bad override.
Instance create_instance(const std::string& dir,
                         const std::vector<std::pair<std::string, std::string>>& overrides = {});

struct SystemInstance {
    std::vector<std::string> created;  // directories and files made by this call
    std::string ssh_host_key_fingerprint;
};

// `tandem-admin init --system`: creates whatever the instance described by `config` lacks (store
// folder and store, recordings folder, ssh host key, invite key pair, TLS key and certificate),
// never touching what exists; opening the store migrates it. Throws std::runtime_error.
SystemInstance init_system_instance(const Config& config);

}  // namespace tandem
