#include "shell_app.hpp"

#include <unistd.h>

#include <cstdlib>

#include "bastion_prompt.hpp"
#include "join_viewer.hpp"
#include "session_identity.hpp"
#include "shell_arguments.hpp"
#include "shell_context.hpp"
#include "signal_pipe.hpp"
#include "tandem/config.hpp"
#include "tandem/errors.hpp"
#include "tandem/log.hpp"
#include "tandem/store.hpp"
#include "target_connection.hpp"
#include "user_output.hpp"

namespace tandem {
namespace {

constexpr int failure_status = 1;

int run(int argc, const char* const* argv) {
    const CommandLine command_line = split_command_line(argc, argv);
    const Config config = load_config(command_line);
    // The user's terminal is ours to keep clean: logs go to syslog unless a file is set.
    log::init_from_config("tandem-shell", config.log_file, config.log_level, log::Sink::syslog);

    std::string error;
    const auto arguments = parse_shell_arguments(command_line.rest, error);
    if (!arguments)
        throw TandemError(ErrorCode::T_101_bad_config, "tandem-shell invocation: " + error);

    Store store = [&] {
        try {
            return Store::open_existing(config.store_location());
        } catch (const StoreError& e) {
            throw TandemError(ErrorCode::T_102_store_unavailable, e.what());
        }
    }();
    const auto user = store.find_user(arguments->user);
    if (!user)
        throw TandemError(ErrorCode::T_201_key_not_registered,
                          "no such user '" + arguments->user + "'");
    // Also checked at authentication; this covers a user disabled since (and OpenSSH mode).
    if (user->disabled)
        throw TandemError(ErrorCode::T_209_user_disabled, "user '" + user->name + "' is disabled");

    SignalPipe signals;
    ShellContext context{config, store, *user, signals, false, {}, {}, {}, false};
    context.interactive = ::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO);
    context.term = sanitize_term(std::getenv("TERM"));
    context.client = client_from_ssh_connection(std::getenv("SSH_CONNECTION"));
    context.via = arguments->via;
    if (!arguments->web_session.empty()) {
        context.web = true;
        context.session_uuid = arguments->web_session;
        context.client = "web " + arguments->web_from;
    }

    const char* original = std::getenv("SSH_ORIGINAL_COMMAND");
    if (arguments->join) {
        // The invitee's own key named them; the command is the invite token.
        if (original == nullptr || *original == '\0')
            throw TandemError(ErrorCode::T_305_reserved_login);
        return JoinViewer(context, original).run();
    }
    BastionPrompt prompt(context);
    if (original != nullptr && *original != '\0') {
        if (std::string_view(original).size() > BastionPrompt::max_line)
            throw TandemError(ErrorCode::T_303_malformed_account, "command too long");
        return prompt.run_command(original);
    }
    return prompt.run();
}

}  // namespace

int run_shell(int argc, const char* const* argv) {
    try {
        return run(argc, argv);
    } catch (const TandemError& e) {
        log::error(std::string(error_info(e.code()).id) + ": " + e.detail());
        print_error(e.code());
    } catch (const StoreError& e) {
        log::error(std::string("store: ") + e.what());
        print_error(ErrorCode::T_102_store_unavailable);
    } catch (const std::exception& e) {
        log::error(std::string("internal error: ") + e.what());
        print_error(ErrorCode::T_103_internal);
    } catch (...) {
        log::error("internal error: unknown exception");
        print_error(ErrorCode::T_103_internal);
    }
    return failure_status;
}

}  // namespace tandem
