#include "authorized_keys_command.hpp"

#include <exception>
#include <filesystem>

#include "tandem/errors.hpp"
#include "tandem/log.hpp"
#include "tandem/store.hpp"

namespace tandem {
namespace {

constexpr std::size_t kMaxKeyType = 64;
constexpr std::size_t kMaxKeyBlob = 16 * 1024;  // an RSA-16384 key is ~2.8 KiB of base64

bool is_key_type(const std::string& type) {
    if (type.empty() || type.size() > kMaxKeyType) return false;
    for (char c : type) {
        const bool ok =
            (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '@';
        if (!ok) return false;
    }
    return true;
}

bool is_base64(const std::string& blob) {
    if (blob.empty() || blob.size() > kMaxKeyBlob) return false;
    for (char c : blob) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
        if (!ok) return false;
    }
    return true;
}

}  // namespace

bool is_safe_person_name(const std::string& name) {
    if (name.empty() || name.size() > 32) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool ok = (c >= 'a' && c <= 'z') || c == '_' ||
                        (i > 0 && ((c >= '0' && c <= '9') || c == '.' || c == '-'));
        if (!ok) return false;
    }
    return true;
}

bool is_shell_safe_path(const std::string& path) {
    if (path.empty() || path[0] != '/' || path.size() > 1024) return false;
    for (char c : path) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '/' || c == '.' || c == '_' || c == '-' ||
                        c == '+' || c == ',' || c == ':' || c == '@' || c == '%' || c == '=';
        if (!ok) return false;
    }
    return true;
}

std::optional<KeysRequest> parse_keys_request(const std::vector<std::string>& args,
                                              std::string& error) {
    if (args.size() != 3) {
        error = "expected 3 arguments (%u %t %k), got " + std::to_string(args.size());
        return std::nullopt;
    }
    if (args[0].empty() || args[0].size() > 256) {
        error = "malformed Unix user";
        return std::nullopt;
    }
    if (!is_key_type(args[1])) {
        error = "malformed key type";
        return std::nullopt;
    }
    if (!is_base64(args[2])) {
        error = "malformed key blob";
        return std::nullopt;
    }
    return KeysRequest{args[0], args[1], args[2]};
}

std::optional<std::string> authorized_keys_line(const Config& config, const KeysRequest& request,
                                                std::string& why) {
    const bool join = request.unix_user == config.openssh_join_login;
    if (!join && request.unix_user != config.openssh_service_login) {
        why = "not a service login";
        return std::nullopt;
    }
    if (!is_shell_safe_path(config.openssh_shell)) {
        why = "openssh.shell is not a plain absolute path";
        return std::nullopt;
    }
    // The forced command runs elsewhere (sshd's cwd is the login's home): name the file fully.
    const std::string config_path =
        config.config_path.empty()
            ? std::string()
            : std::filesystem::absolute(config.config_path).lexically_normal().string();
    if (!config_path.empty() && !is_shell_safe_path(config_path)) {
        why = "the config path has characters unfit for a command line";
        return std::nullopt;
    }
    const Store store = Store::open_existing(config.store_location());
    const auto owner = store.find_user_by_key(request.key_type, request.key_blob);
    if (!owner) {
        why = "unknown key";
        return std::nullopt;
    }
    if (owner->disabled) {
        why = "user '" + owner->name + "' is disabled (T_209)";
        return std::nullopt;
    }
    if (!is_safe_person_name(owner->name)) {
        why = "the key's owner has a name unfit for a command line";
        return std::nullopt;
    }
    std::string command = config.openssh_shell;
    if (!config_path.empty()) command += " --config " + config_path;
    command += " --user " + owner->name + " --via drop-in";
    if (join) command += " --join";
    return "restrict,pty,command=\"" + command + "\" " + request.key_type + " " + request.key_blob +
           "\n";
}

int run_keys(int argc, const char* const* argv, std::string& out) {
    out.clear();
    // Until the config names a sink, refusals still reach syslog (never stdout: sshd reads it).
    log::init("tandem-keys", log::Sink::syslog, log::Level::info);
    try {
        const CommandLine command_line = split_command_line(argc, argv);
        const Config config = load_config(command_line);
        log::init_from_config("tandem-keys", config.log_file, config.log_level, log::Sink::syslog);
        std::string why;
        const auto request = parse_keys_request(command_line.rest, why);
        if (!request) {
            log::warn("refused: " + why);
            return 0;
        }
        const auto line = authorized_keys_line(config, *request, why);
        if (!line) {
            log::info("no key for login '" + request->unix_user + "' (" + request->key_type +
                      "): " + why);
            return 0;
        }
        log::debug("key accepted for login '" + request->unix_user + "'");
        out = *line;
    } catch (const TandemError& e) {
        log::error(std::string(error_info(e.code()).id) + ": " + e.detail());
    } catch (const StoreError& e) {
        log::error(std::string("store: ") + e.what());
    } catch (const std::exception& e) {
        log::error(std::string("internal error: ") + e.what());
    } catch (...) {
        log::error("internal error: unknown exception");
    }
    return 0;
}

}  // namespace tandem
