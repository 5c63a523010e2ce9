// tandem-admin's commands (`tandem-admin help`) as data, and the pure parser from arguments.
// Global options (--config, --section.key=value) are taken out before, by split_command_line.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tandem/account_name.hpp"
#include "tandem/store.hpp"

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
    user_list,
    user_show,
    user_disable,
    user_enable,
    user_key_del,
    user_set,
    host_add,
    host_pin,
    host_list,
    host_del,
    host_set,
    account_add,
    account_list,
    account_del,
    account_set,
    grant,
    revoke,
    grant_list,
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
    bool auditor = false;                         // user add
    std::optional<bool> set_admin;                // user set --admin / --no-admin
    std::optional<bool> set_auditor;              // user set --auditor / --no-auditor
    AccountName account;                          // account add/del/set, grant, revoke
    int limit = 0;                                // sessions, audit (0 = default)
    bool json = false;                            // listings, show, sessions, audit
    bool force = false;                           // host del
    std::optional<std::string> new_address;       // host set --address
    std::optional<std::uint16_t> new_port;        // host set --port
    std::string fingerprint;                      // user key del
    std::string filter;  // account list [HOST], grant list [USER|LOGIN@HOST]
    bool live = false;   // sessions --live
    AuditQuery audit;    // audit filters (limit is `limit`)
};

// Throws UsageError with one clear line.
Command parse_command(const std::vector<std::string>& args);

// A --since/--until value as a Unix time: YYYY-MM-DD (midnight UTC), YYYY-MM-DDTHH:MM[:SS]Z,
// or an age before now ("90s", "30m", "2h", "7d"). Throws UsageError.
UnixTime parse_time_bound(const std::string& text, UnixTime now);

// Name rules, exposed for tests and the executor.
bool is_valid_user_name(const std::string& name);     // ^[a-z_][a-z0-9_.-]{0,31}$
bool is_reserved_user_name(const std::string& name);  // "join"

// The usage text printed by `tandem-admin help`.
const char* usage_text();

}  // namespace tandem::admin
