#include "server_bind.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "algorithms.hpp"
#include "tandem/errors.hpp"

namespace tandem::sshd {
namespace {

void set_option(ssh_bind bind, ssh_bind_options_e option, const void* value, const char* what) {
    if (ssh_bind_options_set(bind, option, value) != SSH_OK)
        throw TandemError(ErrorCode::T_101_bad_config,
                          std::string("ssh: cannot set ") + what + ": " + ssh_get_error(bind));
}

}  // namespace

ServerBind::ServerBind(const std::string& host_key_path) {
    bind_ = ssh_bind_new();
    if (bind_ == nullptr) throw TandemError(ErrorCode::T_103_internal, "ssh_bind_new failed");
    try {
        // Our lists are the whole policy: a system-wide libssh server config must not widen it.
        const bool process_config = false;
        set_option(bind_, SSH_BIND_OPTIONS_PROCESS_CONFIG, &process_config, "process_config");
        const int verbosity = SSH_LOG_NOLOG;
        set_option(bind_, SSH_BIND_OPTIONS_LOG_VERBOSITY, &verbosity, "log verbosity");
        set_option(bind_, SSH_BIND_OPTIONS_KEY_EXCHANGE, algorithms::key_exchange, "kex");
        set_option(bind_, SSH_BIND_OPTIONS_CIPHERS_C_S, algorithms::ciphers, "ciphers");
        set_option(bind_, SSH_BIND_OPTIONS_CIPHERS_S_C, algorithms::ciphers, "ciphers");
        set_option(bind_, SSH_BIND_OPTIONS_HMAC_C_S, algorithms::macs, "MACs");
        set_option(bind_, SSH_BIND_OPTIONS_HMAC_S_C, algorithms::macs, "MACs");
        set_option(bind_, SSH_BIND_OPTIONS_HOSTKEY_ALGORITHMS, algorithms::host_keys,
                   "host key algorithms");
        set_option(bind_, SSH_BIND_OPTIONS_PUBKEY_ACCEPTED_KEY_TYPES, algorithms::user_keys,
                   "accepted user key types");
        const int rsa_min = algorithms::rsa_min_bits;
        set_option(bind_, SSH_BIND_OPTIONS_RSA_MIN_SIZE, &rsa_min, "RSA minimum size");
        // Loads and parses the key now, so a missing or malformed key stops startup.
        if (access(host_key_path.c_str(), R_OK) != 0)
            throw TandemError(ErrorCode::T_101_bad_config,
                              "ssh.host_key " + host_key_path + ": " + std::strerror(errno));
        if (ssh_bind_options_set(bind_, SSH_BIND_OPTIONS_HOSTKEY, host_key_path.c_str()) != SSH_OK)
            throw TandemError(
                ErrorCode::T_101_bad_config,
                "ssh.host_key " + host_key_path + ": not a private key libssh can use");
    } catch (...) {
        ssh_bind_free(bind_);
        bind_ = nullptr;
        throw;
    }
}

ServerBind::~ServerBind() {
    release();
}

void ServerBind::release() {
    if (bind_ != nullptr) ssh_bind_free(bind_);
    bind_ = nullptr;
}

}  // namespace tandem::sshd
