#include "admin_command.hpp"

#include <map>
#include <regex>

namespace tandem::admin {
namespace {

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

const char* const kUsage =
    "usage: tandem-admin [--config FILE] [--section.key=value]... COMMAND\n"
    "commands:\n"
    "  init --dir DIR                      create a self-contained instance in DIR\n"
    "  user add NAME [--password-stdin] [--key FILE]... [--admin]\n"
    "  user passwd NAME                    set NAME's web password (read from stdin)\n"
    "  user del NAME\n"
    "  user key add NAME FILE              add the public key(s) in FILE\n"
    "  host add NAME ADDRESS [--port N] [--host-key FILE]\n"
    "                                      pin the host key from FILE, or on first contact\n"
    "  host pin NAME [--host-key FILE]     re-pin a host's key after verifying the host\n"
    "  account add LOGIN@HOST (--key FILE | --password-stdin)\n"
    "  grant USER LOGIN@HOST\n"
    "  revoke USER LOGIN@HOST\n"
    "  sessions [--limit N]                recent sessions, newest first\n"
    "  audit [--limit N]                   audit log, newest first\n"
    "  terminate SESSION [--reason TEXT]   end a live session for everyone (T_320)\n"
    "  watch SESSION                       read-only view of a live session (announced)\n";

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
    if (s.positionals.size() < n) throw UsageError("missing argument; " + usage);
    if (s.positionals.size() > n)
        throw UsageError("unexpected argument '" + s.positionals[n] + "'; " + usage);
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

Command parse_user(const std::vector<std::string>& args) {
    if (args.size() < 2) throw UsageError("missing user command; use add, passwd, del or key add");
    Command c;
    const std::string& sub = args[1];
    if (sub == "add") {
        const std::string usage =
            "usage: tandem-admin user add NAME [--password-stdin] [--key FILE]... [--admin]";
        auto s =
            scan(args, 2,
                 {{"password-stdin", false, false}, {"key", true, true}, {"admin", false, false}},
                 usage);
        expect_positionals(s, 1, usage);
        c.verb = Verb::user_add;
        c.user = checked_user(s.positionals[0]);
        c.password_stdin = s.has("password-stdin");
        c.admin = s.has("admin");
        if (s.has("key")) c.key_files = s.flags["key"];
    } else if (sub == "passwd" || sub == "del") {
        const std::string usage = "usage: tandem-admin user " + sub + " NAME";
        auto s = scan(args, 2, {}, usage);
        expect_positionals(s, 1, usage);
        c.verb = sub == "passwd" ? Verb::user_passwd : Verb::user_del;
        c.user = checked_user(s.positionals[0]);
    } else if (sub == "key") {
        const std::string usage = "usage: tandem-admin user key add NAME FILE";
        if (args.size() < 3 || args[2] != "add") throw UsageError(usage);
        auto s = scan(args, 3, {}, usage);
        expect_positionals(s, 2, usage);
        c.verb = Verb::user_key_add;
        c.user = checked_user(s.positionals[0]);
        c.key_files = {s.positionals[1]};
    } else {
        throw UsageError("unknown user command '" + sub + "'; use add, passwd, del or key add");
    }
    return c;
}

Command parse_host(const std::vector<std::string>& args) {
    if (args.size() < 2) throw UsageError("missing host command; use add or pin");
    Command c;
    if (args[1] == "add") {
        const std::string usage =
            "usage: tandem-admin host add NAME ADDRESS [--port N] [--host-key FILE]";
        auto s = scan(args, 2, {{"port", true, false}, {"host-key", true, false}}, usage);
        expect_positionals(s, 2, usage);
        c.verb = Verb::host_add;
        c.host = checked_host(s.positionals[0]);
        c.address = checked_address(s.positionals[1]);
        if (auto port = s.value("port"))
            c.port = static_cast<std::uint16_t>(checked_number(*port, "port", 1, 65535));
        c.host_key_file = s.value("host-key");
    } else if (args[1] == "pin") {
        const std::string usage = "usage: tandem-admin host pin NAME [--host-key FILE]";
        auto s = scan(args, 2, {{"host-key", true, false}}, usage);
        expect_positionals(s, 1, usage);
        c.verb = Verb::host_pin;
        c.host = checked_host(s.positionals[0]);
        c.host_key_file = s.value("host-key");
    } else {
        throw UsageError("unknown host command '" + args[1] + "'; use add or pin");
    }
    return c;
}

Command parse_account(const std::vector<std::string>& args) {
    const std::string usage =
        "usage: tandem-admin account add LOGIN@HOST (--key FILE | --password-stdin)";
    if (args.size() < 2 || args[1] != "add") throw UsageError(usage);
    auto s = scan(args, 2, {{"key", true, false}, {"password-stdin", false, false}}, usage);
    expect_positionals(s, 1, usage);
    Command c;
    c.verb = Verb::account_add;
    c.account = checked_account(s.positionals[0]);
    c.account_key_file = s.value("key");
    c.password_stdin = s.has("password-stdin");
    if (c.account_key_file.has_value() == c.password_stdin)
        throw UsageError("give exactly one of --key FILE and --password-stdin; " + usage);
    return c;
}

}  // namespace

const char* usage_text() {
    return kUsage;
}

bool is_valid_user_name(const std::string& name) {
    static const std::regex re(R"(^[a-z_][a-z0-9_.-]{0,31}$)");
    return std::regex_match(name, re);
}

bool is_reserved_user_name(const std::string& name) {
    return name == "join";
}

Command parse_command(const std::vector<std::string>& args) {
    if (args.empty()) throw UsageError("no command given (try tandem-admin help)");
    const std::string& verb = args[0];
    Command c;
    if (verb == "help" || verb == "--help" || verb == "-h") {
        c.verb = Verb::help;
    } else if (verb == "version" || verb == "--version") {
        c.verb = Verb::version;
    } else if (verb == "init") {
        const std::string usage = "usage: tandem-admin init --dir DIR";
        auto s = scan(args, 1, {{"dir", true, false}}, usage);
        expect_positionals(s, 0, usage);
        if (!s.has("dir")) throw UsageError("missing --dir DIR; " + usage);
        c.verb = Verb::init;
        c.dir = *s.value("dir");
    } else if (verb == "user") {
        c = parse_user(args);
    } else if (verb == "host") {
        c = parse_host(args);
    } else if (verb == "account") {
        c = parse_account(args);
    } else if (verb == "grant" || verb == "revoke") {
        const std::string usage = "usage: tandem-admin " + verb + " USER LOGIN@HOST";
        auto s = scan(args, 1, {}, usage);
        expect_positionals(s, 2, usage);
        c.verb = verb == "grant" ? Verb::grant : Verb::revoke;
        c.user = checked_user(s.positionals[0]);
        c.account = checked_account(s.positionals[1]);
    } else if (verb == "sessions" || verb == "audit") {
        const std::string usage = "usage: tandem-admin " + verb + " [--limit N]";
        auto s = scan(args, 1, {{"limit", true, false}}, usage);
        expect_positionals(s, 0, usage);
        c.verb = verb == "sessions" ? Verb::sessions : Verb::audit;
        if (auto limit = s.value("limit")) c.limit = checked_number(*limit, "limit", 1, 100000);
    } else {
        throw UsageError("unknown command '" + verb + "' (try tandem-admin help)");
    }
    return c;
}

}  // namespace tandem::admin
