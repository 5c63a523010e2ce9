// Parsing `tandem-admin account ...`, `grant ...` and `revoke ...`.
#include "command_scan.hpp"

namespace tandem::admin {

Command parse_account(const std::vector<std::string>& args) {
    const char* const commands = "use add, set, list or del";
    if (args.size() < 2) throw UsageError(std::string("missing account command; ") + commands);
    Command c;
    const std::string& sub = args[1];
    if (sub == "add" || sub == "set") {
        const std::string usage =
            "usage: tandem-admin account " + sub + " LOGIN@HOST (--key FILE | --password-stdin)";
        auto s = scan(args, 2, {{"key", true, false}, {"password-stdin", false, false}}, usage);
        expect_positionals(s, 1, usage);
        c.verb = sub == "add" ? Verb::account_add : Verb::account_set;
        c.account = checked_account(s.positionals[0]);
        c.account_key_file = s.value("key");
        c.password_stdin = s.has("password-stdin");
        if (c.account_key_file.has_value() == c.password_stdin)
            throw UsageError("give exactly one of --key FILE and --password-stdin; " + usage);
    } else if (sub == "list") {
        const std::string usage = "usage: tandem-admin account list [HOST] [--json]";
        auto s = scan(args, 2, {{"json", false, false}}, usage);
        expect_positionals(s, 0, 1, usage);
        c.verb = Verb::account_list;
        c.json = s.has("json");
        if (!s.positionals.empty()) c.filter = checked_host(s.positionals[0]);
    } else if (sub == "del") {
        const std::string usage = "usage: tandem-admin account del LOGIN@HOST";
        auto s = scan(args, 2, {}, usage);
        expect_positionals(s, 1, usage);
        c.verb = Verb::account_del;
        c.account = checked_account(s.positionals[0]);
    } else {
        throw UsageError("unknown account command '" + sub + "'; " + commands);
    }
    return c;
}

Command parse_grant(const std::vector<std::string>& args) {
    const std::string& verb = args[0];
    Command c;
    if (verb == "grant" && args.size() >= 2 && args[1] == "list") {
        // `grant list X` always lists: a user named "list" is granted nothing this way.
        const std::string usage = "usage: tandem-admin grant list [USER | LOGIN@HOST] [--json]";
        auto s = scan(args, 2, {{"json", false, false}}, usage);
        expect_positionals(s, 0, 1, usage);
        c.verb = Verb::grant_list;
        c.json = s.has("json");
        if (!s.positionals.empty()) {
            const std::string& who = s.positionals[0];
            c.filter = who.find('@') != std::string::npos ? checked_account(who).text()
                                                          : checked_user(who);
        }
        return c;
    }
    const std::string usage = "usage: tandem-admin " + verb + " USER LOGIN@HOST";
    auto s = scan(args, 1, {}, usage);
    expect_positionals(s, 2, usage);
    c.verb = verb == "grant" ? Verb::grant : Verb::revoke;
    c.user = checked_user(s.positionals[0]);
    c.account = checked_account(s.positionals[1]);
    return c;
}

}  // namespace tandem::admin
