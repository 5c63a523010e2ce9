// Argument scanning and checks shared by the command groups' parsers.
#include <regex>

#include "command_scan.hpp"

namespace tandem::admin {

// Splits args[from..] into positionals and known flags ("--flag VALUE" or "--flag=VALUE").
Scanned scan(const std::vector<std::string>& args, std::size_t from,
             std::initializer_list<FlagSpec> specs, const std::string& usage) {
    Scanned out;
    bool flags_done = false;
    for (std::size_t i = from; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (flags_done || arg.size() < 2 || arg[0] != '-') {
            out.positionals.push_back(arg);
            continue;
        }
        if (arg == "--") {
            flags_done = true;
            continue;
        }
        const auto eq = arg.find('=');
        const bool long_form = arg.rfind("--", 0) == 0;
        const std::string name =
            long_form ? arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2) : arg;
        const FlagSpec* spec = nullptr;
        for (const auto& s : specs)
            if (long_form && name == s.name) spec = &s;
        if (!spec) throw UsageError("unknown option '" + arg + "'; " + usage);
        std::string value;
        if (spec->takes_value) {
            if (eq != std::string::npos)
                value = arg.substr(eq + 1);
            else if (i + 1 < args.size())
                value = args[++i];
            else
                throw UsageError("option --" + name + " needs a value; " + usage);
            if (value.empty()) throw UsageError("option --" + name + " needs a value; " + usage);
        } else if (eq != std::string::npos) {
            throw UsageError("option --" + name + " takes no value; " + usage);
        }
        auto& values = out.flags[name];
        if (!values.empty() && !spec->repeatable)
            throw UsageError("option --" + name + " given twice; " + usage);
        values.push_back(value);
    }
    return out;
}

void expect_positionals(const Scanned& s, std::size_t n, const std::string& usage) {
    expect_positionals(s, n, n, usage);
}

void expect_positionals(const Scanned& s, std::size_t min, std::size_t max,
                        const std::string& usage) {
    if (s.positionals.size() < min) throw UsageError("missing argument; " + usage);
    if (s.positionals.size() > max)
        throw UsageError("unexpected argument '" + s.positionals[max] + "'; " + usage);
}

std::string checked_user(const std::string& name) {
    if (is_reserved_user_name(name))
        throw UsageError("'" + name +
                         "' is reserved for joining shared sessions; pick another "
                         "user name");
    if (!is_valid_user_name(name))
        throw UsageError("invalid user name '" + name +
                         "': use a lowercase letter or _ then up to 31 of a-z 0-9 _ . -");
    return name;
}

std::string checked_host(const std::string& name) {
    if (!is_valid_host_name(name))
        throw UsageError("invalid host name '" + name +
                         "': use a letter or digit then up to 62 of A-Z a-z 0-9 . -");
    return name;
}

AccountName checked_account(const std::string& text) {
    auto account = AccountName::parse(text);
    if (!account)
        throw UsageError("bad account '" + text +
                         "': write it as LOGIN@HOST, for example "
                         "root@web01");
    return *account;
}

std::string checked_address(const std::string& address) {
    static const std::regex re(R"(^[A-Za-z0-9._:%\[\]-]{1,253}$)");
    if (address.empty() || address[0] == '-' || !std::regex_match(address, re))
        throw UsageError("invalid address '" + address + "'");
    return address;
}

int checked_number(const std::string& text, const std::string& what, int min, int max) {
    static const std::regex re(R"(^[0-9]{1,6}$)");
    if (!std::regex_match(text, re) || std::stoi(text) < min || std::stoi(text) > max)
        throw UsageError("invalid " + what + " '" + text + "': use a number from " +
                         std::to_string(min) + " to " + std::to_string(max));
    return std::stoi(text);
}

}  // namespace tandem::admin
