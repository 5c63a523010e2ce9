#include "admin_run.hpp"

#include <ostream>

#include "admin_commands.hpp"
#include "tandem/errors.hpp"
#include "tandem/instance.hpp"
#include "tandem/password_hash.hpp"
#include "tandem/ssh_keys.hpp"
#include "tandem/version.hpp"
#include "terminate_command.hpp"
#include "watch_command.hpp"

namespace tandem::admin {
namespace {

std::string one_line(std::string text) {
    for (char& c : text)
        if (c == '\n' || c == '\r') c = ' ';
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text;
}

Store open_store(const Config& config) {
    try {
        return Store::open_existing(config.store_location());
    } catch (const StoreError& e) {
        if (e.kind() == StoreError::Kind::corrupt) throw;
        throw StoreError(
            e.kind(),
            std::string(e.what()) + (config.config_path.empty()
                                         ? " (no config file was found: pass --config FILE or set "
                                           "TANDEM_CONFIG)"
                                         : " (from " + config.config_path + ")"));
    }
}

void execute(const Command& cmd, Context& ctx) {
    switch (cmd.verb) {
        case Verb::help:
            ctx.out << usage_text();
            return;
        case Verb::version:
            ctx.out << version_line("tandem-admin") << "\n";
            return;
        case Verb::init:
            return run_init(cmd, ctx);
        default:
            break;
    }
    const Config config = load_config(ctx.cli);
    Store store = open_store(config);
    switch (cmd.verb) {
        case Verb::user_add:
        case Verb::user_passwd:
        case Verb::user_del:
        case Verb::user_key_add:
        case Verb::user_disable:
        case Verb::user_enable:
        case Verb::user_key_del:
        case Verb::user_set:
            return run_user_command(cmd, ctx, store);
        case Verb::user_list:
        case Verb::user_show:
        case Verb::host_list:
        case Verb::account_list:
        case Verb::grant_list:
            return run_listing_command(cmd, ctx, store);
        case Verb::host_add:
        case Verb::host_pin:
        case Verb::host_del:
        case Verb::host_set:
            return run_host_command(cmd, ctx, store, config);
        case Verb::account_add:
        case Verb::account_set:
        case Verb::account_del:
        case Verb::grant:
        case Verb::revoke:
            return run_access_command(cmd, ctx, store);
        case Verb::sessions:
        case Verb::audit:
            return run_report_command(cmd, ctx, store);
        default:
            throw AdminError("command not implemented");
    }
}

}  // namespace

// The packages' postinst: the config file exists (a conffile), the files it names may not.
void run_system_init(Context& ctx) {
    const Config config = load_config(ctx.cli);
    if (config.config_path.empty())
        throw AdminError("init --system needs a config file (none at /etc/tandem/tandem.conf)");
    const SystemInstance made = init_system_instance(config);
    Store store = Store::open_existing(config.store_location());
    if (!made.created.empty()) store.audit(ctx.actor, "instance.init", config.config_path);
    for (const auto& path : made.created) ctx.out << "created " << path << "\n";
    ctx.out << "tandem instance of " << config.config_path << " is ready"
            << (made.ssh_host_key_fingerprint.empty()
                    ? std::string()
                    : " (ssh host key " + made.ssh_host_key_fingerprint + ")")
            << "\n";
}

void run_init(const Command& cmd, Context& ctx) {
    if (cmd.dir.empty()) return run_system_init(ctx);
    if (ctx.cli.config_path) throw UsageError("init writes DIR/tandem.conf itself; drop --config");
    const Instance instance = create_instance(cmd.dir, ctx.cli.overrides);
    Store store = Store::open_existing(instance.config.store_location());
    store.audit(ctx.actor, "instance.init", instance.dir);
    const Config& c = instance.config;
    ctx.out << "created tandem instance in " << instance.dir << "\n"
            << "  config:        " << instance.config_path << "\n"
            << "  store:         " << redacted_store_location(c.store_location()) << "\n"
            << "  ssh host key:  " << c.ssh_host_key << " (" << instance.ssh_host_key_fingerprint
            << ")\n"
            << "  ssh listen:    " << c.ssh_listen << "\n"
            << "  web listen:    " << c.web_listen << " (" << c.web_public_url << ")\n"
            << "  recordings:    " << c.session_recordings_dir << "\n"
            << "use it with:     export TANDEM_CONFIG=" << instance.config_path << "\n";
}

int run(int argc, const char* const* argv, std::istream& in, std::ostream& out, std::ostream& err,
        bool interactive_stdin) {
    const std::string prefix = "tandem-admin: ";
    try {
        Context ctx{split_command_line(argc, argv), in, out, interactive_stdin, invoking_user()};
        // The live commands parse their own arguments (terminate_command.hpp).
        if (!ctx.cli.rest.empty() && ctx.cli.rest[0] == "terminate") {
            const auto order = parse_terminate({ctx.cli.rest.begin() + 1, ctx.cli.rest.end()});
            const Config config = load_config(ctx.cli);
            Store store = open_store(config);
            run_terminate(order, ctx, store, config);
            out.flush();
            return 0;
        }
        if (!ctx.cli.rest.empty() && ctx.cli.rest[0] == "watch") {
            const auto session = parse_watch({ctx.cli.rest.begin() + 1, ctx.cli.rest.end()});
            const Config config = load_config(ctx.cli);
            Store store = open_store(config);
            run_watch(session, ctx, store, config);
            out.flush();
            return 0;
        }
        const Command cmd = parse_command(ctx.cli.rest);
        execute(cmd, ctx);
        out.flush();
        return 0;
    } catch (const UsageError& e) {
        err << prefix << one_line(e.what()) << "\n";
        return 2;
    } catch (const TandemError& e) {
        err << prefix << one_line(e.what())
            << (e.detail().empty() ? "" : " (" + one_line(e.detail()) + ")") << "\n";
    } catch (const StoreError& e) {
        // A store that cannot be used now (locked past the busy timeout, unreadable, corrupt)
        // is T_102; unknown names and duplicates are the administrator's input and say so.
        const bool unusable =
            e.kind() == StoreError::Kind::unavailable || e.kind() == StoreError::Kind::corrupt;
        if (unusable)
            err << prefix << user_message(ErrorCode::T_102_store_unavailable) << " ("
                << one_line(e.what()) << ")\n";
        else
            err << prefix << one_line(e.what()) << "\n";
    } catch (const std::exception& e) {  // AdminError, KeyError, PasswordError, I/O
        err << prefix << one_line(e.what()) << "\n";
    }
    return 1;
}

}  // namespace tandem::admin
