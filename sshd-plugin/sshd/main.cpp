// tandem-sshd: the standalone SSH front end (docs/architecture.md) on libssh server mode.
#include <pwd.h>
#include <unistd.h>

#include <climits>
#include <exception>
#include <iostream>
#include <string>

#include "channel_session.hpp"
#include "listener.hpp"
#include "tandem/config.hpp"
#include "tandem/errors.hpp"
#include "tandem/log.hpp"
#include "tandem/version.hpp"

namespace {

constexpr const char* usage =
    "usage: tandem-sshd [--config FILE] [--section.key=value ...]\n"
    "Serves SSH on ssh.listen and runs tandem-shell for each authenticated user.\n"
    "options:\n"
    "  --config FILE          the instance's tandem.conf (default: $TANDEM_CONFIG, then\n"
    "                         /etc/tandem/tandem.conf)\n"
    "  --section.key=value    override one config key (docs/configuration.md)\n"
    "  --version              print the version and exit\n"
    "  --help, -h             print this help and exit\n";

std::string own_executable() {
    char path[PATH_MAX] = {};
    const ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    return n > 0 ? std::string(path, static_cast<std::size_t>(n)) : std::string("tandem-sshd");
}

bool is_executable(const std::string& path) {
    return ::access(path.c_str(), X_OK) == 0;
}

tandem::sshd::ProcessOwner process_owner() {
    const passwd* pw = getpwuid(geteuid());
    if (pw == nullptr) return {std::to_string(geteuid()), "/"};
    return {pw->pw_name, pw->pw_dir};
}

}  // namespace

int main(int argc, char** argv) {
    if (auto status = tandem::answer_version_or_help(argc, argv, "tandem-sshd", usage, std::cout))
        return *status;
    try {
        const auto cli = tandem::split_command_line(argc, argv);
        for (const auto& arg : cli.rest) {
            if (arg == "--help" || arg == "-h") {
                std::cout << usage;
                return 0;
            }
            std::cerr << "tandem-sshd: unknown argument: " << arg << "\n" << usage;
            return 2;
        }
        const tandem::Config config = tandem::load_config(cli);
        tandem::log::init_from_config("tandem-sshd", config.log_file, config.log_level,
                                      tandem::log::Sink::stderr_stream);
        tandem::sshd::HookSettings hook{
            tandem::sshd::resolve_hook_path(config.ssh_shell, own_executable(), is_executable),
            config.config_path, cli.overrides, process_owner()};
        tandem::sshd::Listener listener(config, std::move(hook));
        return listener.run();
    } catch (const tandem::TandemError& e) {
        std::cerr << "tandem-sshd: " << e.what();
        if (!e.detail().empty()) std::cerr << " (" << e.detail() << ")";
        std::cerr << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "tandem-sshd: " << tandem::user_message(tandem::ErrorCode::T_103_internal)
                  << " (" << e.what() << ")\n";
        return 1;
    }
}
