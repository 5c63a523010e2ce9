// Parsing `tandem-admin user ...`.
#include "command_scan.hpp"

namespace tandem::admin {
namespace {

const char* const kUserCommands =
    "use add, set, list, show, passwd, disable, enable, del, key add or key del";

Command parse_user_key(const std::vector<std::string>& args) {
    const std::string usage =
        "usage: tandem-admin user key add NAME FILE | user key del NAME FINGERPRINT";
    if (args.size() < 3 || (args[2] != "add" && args[2] != "del")) throw UsageError(usage);
    auto s = scan(args, 3, {}, usage);
    expect_positionals(s, 2, usage);
    Command c;
    c.user = checked_user(s.positionals[0]);
    if (args[2] == "add") {
        c.verb = Verb::user_key_add;
        c.key_files = {s.positionals[1]};
    } else {
        c.verb = Verb::user_key_del;
        c.fingerprint = s.positionals[1];
        if (c.fingerprint.rfind("SHA256:", 0) != 0 || c.fingerprint.size() > 100)
            throw UsageError("bad fingerprint '" + c.fingerprint +
                             "': give it as tandem-admin user show prints it (SHA256:...)");
    }
    return c;
}

}  // namespace

Command parse_user(const std::vector<std::string>& args) {
    if (args.size() < 2) throw UsageError(std::string("missing user command; ") + kUserCommands);
    Command c;
    const std::string& sub = args[1];
    if (sub == "add") {
        const std::string usage =
            "usage: tandem-admin user add NAME [--password-stdin] [--key FILE]... [--admin] "
            "[--auditor]";
        auto s = scan(args, 2,
                      {{"password-stdin", false, false},
                       {"key", true, true},
                       {"admin", false, false},
                       {"auditor", false, false}},
                      usage);
        expect_positionals(s, 1, usage);
        c.verb = Verb::user_add;
        c.user = checked_user(s.positionals[0]);
        c.password_stdin = s.has("password-stdin");
        c.admin = s.has("admin");
        c.auditor = s.has("auditor");
        if (s.has("key")) c.key_files = s.flags["key"];
    } else if (sub == "set") {
        const std::string usage =
            "usage: tandem-admin user set NAME [--admin | --no-admin] [--auditor | --no-auditor]";
        auto s = scan(args, 2,
                      {{"admin", false, false},
                       {"no-admin", false, false},
                       {"auditor", false, false},
                       {"no-auditor", false, false}},
                      usage);
        expect_positionals(s, 1, usage);
        if ((s.has("admin") && s.has("no-admin")) || (s.has("auditor") && s.has("no-auditor")))
            throw UsageError(usage);
        c.verb = Verb::user_set;
        c.user = checked_user(s.positionals[0]);
        if (s.has("admin") || s.has("no-admin")) c.set_admin = s.has("admin");
        if (s.has("auditor") || s.has("no-auditor")) c.set_auditor = s.has("auditor");
        if (!c.set_admin && !c.set_auditor) throw UsageError(usage);
    } else if (sub == "list") {
        const std::string usage = "usage: tandem-admin user list [--json]";
        auto s = scan(args, 2, {{"json", false, false}}, usage);
        expect_positionals(s, 0, usage);
        c.verb = Verb::user_list;
        c.json = s.has("json");
    } else if (sub == "show") {
        const std::string usage = "usage: tandem-admin user show NAME [--json]";
        auto s = scan(args, 2, {{"json", false, false}}, usage);
        expect_positionals(s, 1, usage);
        c.verb = Verb::user_show;
        c.user = checked_user(s.positionals[0]);
        c.json = s.has("json");
    } else if (sub == "passwd" || sub == "del" || sub == "disable" || sub == "enable") {
        const std::string usage = "usage: tandem-admin user " + sub + " NAME";
        auto s = scan(args, 2, {}, usage);
        expect_positionals(s, 1, usage);
        c.verb = sub == "passwd"    ? Verb::user_passwd
                 : sub == "del"     ? Verb::user_del
                 : sub == "disable" ? Verb::user_disable
                                    : Verb::user_enable;
        c.user = checked_user(s.positionals[0]);
    } else if (sub == "key") {
        c = parse_user_key(args);
    } else {
        throw UsageError("unknown user command '" + sub + "'; " + kUserCommands);
    }
    return c;
}

}  // namespace tandem::admin
