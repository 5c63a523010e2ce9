#include "tandem/session_command.hpp"

#include <array>
#include <utility>

namespace tandem {
namespace {

constexpr std::array<std::pair<SessionCommand, std::string_view>, 9> kWords = {{
    {SessionCommand::share, "share"},
    {SessionCommand::unshare, "unshare"},
    {SessionCommand::who, "who"},
    {SessionCommand::agree, "agree"},
    {SessionCommand::refuse, "refuse"},
    {SessionCommand::take, "take"},
    {SessionCommand::control, "control"},
    {SessionCommand::release, "release"},
    {SessionCommand::exit, "exit"},
}};

}  // namespace

std::string_view to_string(SessionCommand command) {
    for (const auto& [value, word] : kWords)
        if (value == command) return word;
    return "?";
}

std::optional<SessionCommand> parse_session_command(std::string_view word) {
    for (const auto& [value, spelling] : kWords)
        if (spelling == word) return value;
    return std::nullopt;
}

bool is_creator_command(SessionCommand command) {
    switch (command) {
        case SessionCommand::share:
        case SessionCommand::unshare:
        case SessionCommand::who:
        case SessionCommand::agree:
        case SessionCommand::refuse:
        case SessionCommand::take:
            return true;
        case SessionCommand::control:
        case SessionCommand::release:
        case SessionCommand::exit:
            return false;
    }
    return false;
}

bool is_invitee_command(SessionCommand command) {
    return command == SessionCommand::who || !is_creator_command(command);
}

}  // namespace tandem
