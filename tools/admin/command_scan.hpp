// The pieces every command group's parser shares: splitting arguments into positionals and
// known flags, and checking names, addresses and numbers. Private to tandem-admin.
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "admin_command.hpp"

namespace tandem::admin {

struct FlagSpec {
    const char* name;  // without the dashes
    bool takes_value;
    bool repeatable;
};

struct Scanned {
    std::vector<std::string> positionals;
    std::map<std::string, std::vector<std::string>> flags;
    bool has(const std::string& flag) const { return flags.count(flag) != 0; }
    std::optional<std::string> value(const std::string& flag) const {
        auto it = flags.find(flag);
        if (it == flags.end()) return std::nullopt;
        return it->second.front();
    }
};

// Splits args[from..] into positionals and known flags ("--flag VALUE" or "--flag=VALUE").
Scanned scan(const std::vector<std::string>& args, std::size_t from,
             std::initializer_list<FlagSpec> specs, const std::string& usage);
void expect_positionals(const Scanned& s, std::size_t n, const std::string& usage);
// Between min and max positionals.
void expect_positionals(const Scanned& s, std::size_t min, std::size_t max,
                        const std::string& usage);

std::string checked_user(const std::string& name);
std::string checked_host(const std::string& name);
AccountName checked_account(const std::string& text);
std::string checked_address(const std::string& address);
int checked_number(const std::string& text, const std::string& what, int min, int max);

// One parser per command group (args[0] is the group's word).
Command parse_user(const std::vector<std::string>& args);
Command parse_host(const std::vector<std::string>& args);
Command parse_account(const std::vector<std::string>& args);
Command parse_grant(const std::vector<std::string>& args);   // grant, revoke, grant list
Command parse_report(const std::vector<std::string>& args);  // sessions, audit

}  // namespace tandem::admin
