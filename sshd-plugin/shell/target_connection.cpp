#include "target_connection.hpp"

#include <cstring>
#include <memory>

#include "tandem/errors.hpp"
#include "tandem/log.hpp"

namespace tandem {
namespace {

struct KeyDeleter {
    void operator()(ssh_key key) const { ssh_key_free(key); }
};
using KeyPtr = std::unique_ptr<std::remove_pointer_t<ssh_key>, KeyDeleter>;

// AES-GCM first: with AES-NI it decrypts bulk output several times faster than ChaCha20.
constexpr const char* preferred_ciphers =
    "aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,"
    "aes128-ctr,aes256-ctr";

[[noreturn]] void fail(ErrorCode code, ssh_session session, const std::string& what) {
    std::string detail = what;
    if (session != nullptr) detail += ": " + std::string(ssh_get_error(session));
    throw TandemError(code, detail);
}

bool mentions_timeout(const char* message) {
    for (const char* word : {"Timeout", "timeout", "timed out"})
        if (std::strstr(message, word) != nullptr) return true;
    return false;
}

}  // namespace

std::string host_key_algorithms_for(const std::string& key_type) {
    if (key_type == "ssh-rsa") return "rsa-sha2-512,rsa-sha2-256,ssh-rsa";
    return key_type;
}

std::string sanitize_term(const char* term) {
    if (term == nullptr || *term == '\0') return "xterm";
    const std::string value(term);
    if (value.size() > 64) return "xterm";
    for (char c : value) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '+';
        if (!ok) return "xterm";
    }
    return value;
}

TargetConnection::TargetConnection(const TargetSpec& spec, const TerminalRequest& terminal) {
    // Without a pinned key there is nothing to verify against: do not even connect.
    if (spec.host_key_type.empty() || spec.host_key_base64.empty())
        throw TandemError(ErrorCode::T_503_host_key_unpinned, "no pinned host key");
    session_ = ssh_new();
    if (session_ == nullptr) throw TandemError(ErrorCode::T_103_internal, "ssh_new failed");
    try {
        connect(spec);
        verify_host_key(spec);
        authenticate(spec);
        open_shell(terminal);
    } catch (...) {
        close();
        throw;
    }
    ssh_set_blocking(session_, 0);
}

TargetConnection::~TargetConnection() {
    close();
}

void TargetConnection::close() {
    if (channel_ != nullptr) {
        ssh_channel_free(channel_);
        channel_ = nullptr;
    }
    if (session_ != nullptr) {
        ssh_set_blocking(session_, 0);  // never wait for a host that stopped answering
        ssh_disconnect(session_);
        ssh_free(session_);
        session_ = nullptr;
    }
}

void TargetConnection::connect(const TargetSpec& spec) {
    const long timeout = static_cast<long>(spec.connect_timeout.count());
    const unsigned int port = spec.port;
    const int no = 0;
    const int yes = 1;
    const bool process_config = false;
    const std::string algorithms = host_key_algorithms_for(spec.host_key_type);
    // No ~/.ssh/config, no known_hosts files: the store's pinned key is the only trust anchor.
    if (ssh_options_set(session_, SSH_OPTIONS_PROCESS_CONFIG, &process_config) != SSH_OK ||
        ssh_options_set(session_, SSH_OPTIONS_HOST, spec.address.c_str()) != SSH_OK ||
        ssh_options_set(session_, SSH_OPTIONS_PORT, &port) != SSH_OK ||
        ssh_options_set(session_, SSH_OPTIONS_USER, spec.login.c_str()) != SSH_OK ||
        ssh_options_set(session_, SSH_OPTIONS_TIMEOUT, &timeout) != SSH_OK ||
        ssh_options_set(session_, SSH_OPTIONS_KNOWNHOSTS, "/dev/null") != SSH_OK ||
        ssh_options_set(session_, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") != SSH_OK ||
        ssh_options_set(session_, SSH_OPTIONS_STRICTHOSTKEYCHECK, &no) != SSH_OK ||
        ssh_options_set(session_, SSH_OPTIONS_NODELAY, &yes) != SSH_OK ||
        ssh_options_set(session_, SSH_OPTIONS_HOSTKEYS, algorithms.c_str()) != SSH_OK ||
        ssh_options_set(session_, SSH_OPTIONS_CIPHERS_C_S, preferred_ciphers) != SSH_OK ||
        ssh_options_set(session_, SSH_OPTIONS_CIPHERS_S_C, preferred_ciphers) != SSH_OK) {
        fail(ErrorCode::T_501_host_unreachable, session_, "invalid connection options");
    }
    if (ssh_connect(session_) != SSH_OK) {
        const char* message = ssh_get_error(session_);
        fail(mentions_timeout(message) ? ErrorCode::T_505_host_timeout
                                       : ErrorCode::T_501_host_unreachable,
             session_, "connect to " + spec.address + ":" + std::to_string(spec.port));
    }
}

void TargetConnection::verify_host_key(const TargetSpec& spec) {
    ssh_key raw = nullptr;
    if (ssh_get_server_publickey(session_, &raw) != SSH_OK || raw == nullptr)
        fail(ErrorCode::T_502_host_key_mismatch, session_, "no server public key");
    KeyPtr key(raw);
    char* blob = nullptr;
    if (ssh_pki_export_pubkey_base64(key.get(), &blob) != SSH_OK || blob == nullptr)
        fail(ErrorCode::T_502_host_key_mismatch, session_, "cannot export server public key");
    const std::string presented_blob(blob);
    ssh_string_free_char(blob);
    const char* type = ssh_key_type_to_char(ssh_key_type(key.get()));
    const std::string presented_type = type != nullptr ? type : "";
    if (presented_type != spec.host_key_type || presented_blob != spec.host_key_base64) {
        throw TandemError(ErrorCode::T_502_host_key_mismatch,
                          "host presented " + presented_type +
                              " key that differs from the pinned " + spec.host_key_type + " key");
    }
}

void TargetConnection::authenticate(const TargetSpec& spec) {
    int rc = SSH_AUTH_DENIED;
    if (spec.credential_kind == CredentialKind::private_key) {
        ssh_key raw = nullptr;
        if (ssh_pki_import_privkey_base64(spec.credential.c_str(), nullptr, nullptr, nullptr,
                                          &raw) != SSH_OK) {
            throw TandemError(ErrorCode::T_504_host_auth_failed,
                              "the account's private key cannot be read");
        }
        KeyPtr key(raw);
        rc = ssh_userauth_publickey(session_, nullptr, key.get());
    } else {
        rc = ssh_userauth_password(session_, nullptr, spec.credential.c_str());
        if (rc == SSH_AUTH_DENIED) {
            // Hosts with PasswordAuthentication off often still take the password through
            // keyboard-interactive; answer each hidden prompt with it.
            rc = ssh_userauth_kbdint(session_, nullptr, nullptr);
            for (int round = 0; rc == SSH_AUTH_INFO && round < 4; ++round) {
                const int prompts = ssh_userauth_kbdint_getnprompts(session_);
                for (int i = 0; i < prompts; ++i) {
                    char echo = 1;
                    ssh_userauth_kbdint_getprompt(session_, static_cast<unsigned>(i), &echo);
                    const char* answer = echo ? "" : spec.credential.c_str();
                    ssh_userauth_kbdint_setanswer(session_, static_cast<unsigned>(i), answer);
                }
                rc = ssh_userauth_kbdint(session_, nullptr, nullptr);
            }
        }
    }
    if (rc == SSH_AUTH_ERROR) {
        const char* message = ssh_get_error(session_);
        fail(mentions_timeout(message) ? ErrorCode::T_505_host_timeout
                                       : ErrorCode::T_504_host_auth_failed,
             session_, "authentication as " + spec.login);
    }
    if (rc != SSH_AUTH_SUCCESS)
        throw TandemError(ErrorCode::T_504_host_auth_failed,
                          "the host rejected the credential of " + spec.login);
}

void TargetConnection::open_shell(const TerminalRequest& terminal) {
    channel_ = ssh_channel_new(session_);
    if (channel_ == nullptr)
        fail(ErrorCode::T_506_host_refused_terminal, session_, "channel allocation");
    if (ssh_channel_open_session(channel_) != SSH_OK)
        fail(ErrorCode::T_506_host_refused_terminal, session_, "session channel refused");
    if (terminal.pty && ssh_channel_request_pty_size(channel_, terminal.term.c_str(), terminal.cols,
                                                     terminal.rows) != SSH_OK)
        fail(ErrorCode::T_506_host_refused_terminal, session_, "pty request refused");
    if (ssh_channel_request_shell(channel_) != SSH_OK)
        fail(ErrorCode::T_506_host_refused_terminal, session_, "shell request refused");
}

}  // namespace tandem
