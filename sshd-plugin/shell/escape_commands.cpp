#include "escape_commands.hpp"

#include "escape_parser.hpp"
#include "tandem/errors.hpp"

namespace tandem {
namespace {

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(' ');
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

}  // namespace

std::string EscapeCommands::prompt_line(std::string_view typed) {
    return "[tandem] " + std::string(typed);
}

EscapeReply EscapeCommands::run(std::string_view line) const {
    const auto command = trim(line);
    if (command.empty()) return {{}, true};
    if (command == "help") {
        const auto key = escape_key_name(escape_key_);
        return {{"commands: share [TTL], unshare, who, agree, refuse, take, help",
                 key + " again sends " + key +
                     " to the host; Esc, ^C or an empty line closes "
                     "this prompt"},
                false};
    }
    return {{user_message(ErrorCode::T_304)}, false};
}

}  // namespace tandem
