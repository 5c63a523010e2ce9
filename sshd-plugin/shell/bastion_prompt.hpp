// The `tandem>` prompt: hosts, connect LOGIN@HOST, sessions, help, exit. Also runs the command
// a client gave with ssh (`ssh -t alice@bastion root@web01` connects directly).
#pragma once

#include <string>
#include <string_view>

#include "shell_context.hpp"

namespace tandem {

class BastionPrompt {
  public:
    static constexpr std::size_t max_line = 1024;

    explicit BastionPrompt(ShellContext& context) : context_(context) {}

    // Banner, then commands until exit, EOF or a hangup. Returns the exit status.
    int run();
    // SSH_ORIGINAL_COMMAND: a prompt command (hosts, sessions, help) or an account to connect
    // to. Returns the exit status (the host's when a session ran).
    int run_command(std::string_view command);

  private:
    struct Input {
        enum class Kind { line, too_long, interrupted, end } kind;
        std::string text;
    };
    Input read_line();
    // Returns false when the user asked to leave.
    bool execute(std::string_view line, int& status);
    void list_hosts();
    void list_sessions();

    ShellContext& context_;
    std::string pending_;
    bool discarding_ = false;
};

}  // namespace tandem
