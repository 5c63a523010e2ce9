// tandem-admin's commands (`tandem-admin help`) as data, and the pure parser from arguments.
// Global options (--config, --section.key=value) are taken out before, by split_command_line.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tandem/account_name.hpp"

namespace tandem::admin {

// Bad command-line syntax or a malformed name; what() is the one line to print.
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

enum class Verb {
    help,
    version,
    init,
    user_add,
    user_passwd,
    user_del,
    user_key_add,
    host_add,
    host_pin,
    account_add,
    grant,
    revoke,
    sessions,
    audit,
};

struct Command {
    Verb verb = Verb::help;
    std::string dir;                              // init
    std::string user;                             // user *, grant, revoke
    std::string host;                             // host add/pin
    std::string address;                          // host add
    std::uint16_t port = 22;                      // host add
    std::optional<std::string> host_key_file;     // host add/pin
    std::vector<std::string> key_files;           // user add (--key, repeatable), user key add
    std::optional<std::string> account_key_file;  // account add --key
    bool password_stdin = false;                  // user add, account add
    bool admin = false;                           // user add
    AccountName account;                          // account add, grant, revoke
    int limit = 0;                                // sessions, audit (0 = default)
};

// Throws UsageError with one clear line.
Command parse_command(const std::vector<std::string>& args);

// Name rules, exposed for tests and the executor.
bool is_valid_user_name(const std::string& name);     // ^[a-z_][a-z0-9_.-]{0,31}$
bool is_reserved_user_name(const std::string& name);  // "join"

// The usage text printed by `tandem-admin help`.
const char* usage_text();

}  // namespace tandem::admin
