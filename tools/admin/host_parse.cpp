// Parsing `tandem-admin host ...`.
#include "command_scan.hpp"

namespace tandem::admin {
namespace {

const char* const kHostCommands = "use add, list, set, pin or del";

std::uint16_t checked_port(const std::string& text) {
    return static_cast<std::uint16_t>(checked_number(text, "port", 1, 65535));
}

}  // namespace

Command parse_host(const std::vector<std::string>& args) {
    if (args.size() < 2) throw UsageError(std::string("missing host command; ") + kHostCommands);
    Command c;
    const std::string& sub = args[1];
    if (sub == "add") {
        const std::string usage =
            "usage: tandem-admin host add NAME ADDRESS [--port N] [--host-key FILE]";
        auto s = scan(args, 2, {{"port", true, false}, {"host-key", true, false}}, usage);
        expect_positionals(s, 2, usage);
        c.verb = Verb::host_add;
        c.host = checked_host(s.positionals[0]);
        c.address = checked_address(s.positionals[1]);
        if (auto port = s.value("port")) c.port = checked_port(*port);
        c.host_key_file = s.value("host-key");
    } else if (sub == "pin") {
        const std::string usage = "usage: tandem-admin host pin NAME [--host-key FILE]";
        auto s = scan(args, 2, {{"host-key", true, false}}, usage);
        expect_positionals(s, 1, usage);
        c.verb = Verb::host_pin;
        c.host = checked_host(s.positionals[0]);
        c.host_key_file = s.value("host-key");
    } else if (sub == "list") {
        const std::string usage = "usage: tandem-admin host list [--json]";
        auto s = scan(args, 2, {{"json", false, false}}, usage);
        expect_positionals(s, 0, usage);
        c.verb = Verb::host_list;
        c.json = s.has("json");
    } else if (sub == "del") {
        const std::string usage = "usage: tandem-admin host del NAME [--force]";
        auto s = scan(args, 2, {{"force", false, false}}, usage);
        expect_positionals(s, 1, usage);
        c.verb = Verb::host_del;
        c.host = checked_host(s.positionals[0]);
        c.force = s.has("force");
    } else if (sub == "set") {
        const std::string usage =
            "usage: tandem-admin host set NAME [--address ADDRESS] [--port N]";
        auto s = scan(args, 2, {{"address", true, false}, {"port", true, false}}, usage);
        expect_positionals(s, 1, usage);
        c.verb = Verb::host_set;
        c.host = checked_host(s.positionals[0]);
        if (auto address = s.value("address")) c.new_address = checked_address(*address);
        if (auto port = s.value("port")) c.new_port = checked_port(*port);
        if (!c.new_address && !c.new_port)
            throw UsageError("nothing to change: give --address, --port or both; " + usage);
    } else {
        throw UsageError("unknown host command '" + sub + "'; " + kHostCommands);
    }
    return c;
}

}  // namespace tandem::admin
