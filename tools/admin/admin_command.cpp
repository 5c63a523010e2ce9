#include "admin_command.hpp"

#include <regex>

#include "command_scan.hpp"

namespace tandem::admin {
namespace {

const char* const kUsage =
    "usage: tandem-admin [--config FILE] [--section.key=value]... COMMAND\n"
    "       tandem-admin --version | --help\n"
    "commands (listings and show take --json; docs/admin.md has every field):\n"
    "  init --dir DIR                      create a self-contained instance in DIR\n"
    "  init --system                       create what the config's instance lacks (packages)\n"
    "  user add NAME [--password-stdin] [--key FILE]... [--admin] [--auditor]\n"
    "  user set NAME [--admin|--no-admin] [--auditor|--no-auditor]\n"
    "                                      roles: auditors watch and play recordings (web)\n"
    "  user list [--json]                  every user: admin, auditor, disabled, keys, grants\n"
    "  user show NAME [--json]             keys with fingerprints, grants, web password\n"
    "  user passwd NAME                    set NAME's web password (read from stdin)\n"
    "  user disable NAME                   refuse NAME's logins, end NAME's sessions\n"
    "  user enable NAME\n"
    "  user del NAME\n"
    "  user key add NAME FILE              add the public key(s) in FILE\n"
    "  user key del NAME FINGERPRINT       remove one key (SHA256:...)\n"
    "  host add NAME ADDRESS [--port N] [--host-key FILE]\n"
    "                                      pin the host key from FILE, or on first contact\n"
    "  host list [--json]\n"
    "  host set NAME [--address ADDRESS] [--port N]\n"
    "  host pin NAME [--host-key FILE]     re-pin a host's key after verifying the host\n"
    "  host del NAME [--force]             --force also deletes the host's accounts\n"
    "  account add LOGIN@HOST (--key FILE | --password-stdin)\n"
    "  account set LOGIN@HOST (--key FILE | --password-stdin)\n"
    "                                      rotate the credential\n"
    "  account list [HOST] [--json]\n"
    "  account del LOGIN@HOST              with its grants; its sessions end\n"
    "  grant USER LOGIN@HOST\n"
    "  revoke USER LOGIN@HOST\n"
    "  grant list [USER | LOGIN@HOST] [--json]\n"
    "  sessions [--live] [--limit N] [--json]\n"
    "                                      recent sessions, newest first; --live: running now\n"
    "  audit [--user U] [--account LOGIN@HOST] [--event E] [--since T] [--until T]\n"
    "        [--limit N] [--json]          audit log, newest first (T: 2026-11-30,\n"
    "                                      2026-11-30T12:00Z, or an age: 30m, 2h, 7d)\n"
    "  terminate SESSION [--reason TEXT]   end a live session for everyone (T_320)\n"
    "  watch SESSION                       read-only view of a live session (announced)\n";

// A command group: its first word and its parser. A new group is one line here.
struct Group {
    const char* word;
    Command (*parse)(const std::vector<std::string>& args);
};

const Group kGroups[] = {
    {"user", parse_user},    {"host", parse_host},    {"account", parse_account},
    {"grant", parse_grant},  {"revoke", parse_grant}, {"sessions", parse_report},
    {"audit", parse_report},
};

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
        const std::string usage = "usage: tandem-admin init --dir DIR | init --system";
        auto s = scan(args, 1, {{"dir", true, false}, {"system", false, false}}, usage);
        expect_positionals(s, 0, usage);
        if (s.has("dir") == s.has("system"))
            throw UsageError("give --dir DIR or --system; " + usage);
        c.verb = Verb::init;
        if (s.has("dir")) c.dir = *s.value("dir");
    } else {
        for (const auto& group : kGroups)
            if (verb == group.word) return group.parse(args);
        throw UsageError("unknown command '" + verb + "' (try tandem-admin help)");
    }
    return c;
}

}  // namespace tandem::admin
