#include "escape_commands.hpp"

#include "escape_parser.hpp"
#include "tandem/errors.hpp"
#include "tandem/trim.hpp"

namespace tandem {
namespace {

constexpr std::string_view kBlanks = " \t\r\n";

}  // namespace

PromptLine parse_prompt_line(std::string_view line) {
    line = trim(line);
    const auto space = line.find_first_of(kBlanks);
    PromptLine out;
    out.word = std::string(line.substr(0, space));
    out.command = parse_session_command(out.word);
    if (space != std::string_view::npos) out.argument = std::string(trim(line.substr(space)));
    return out;
}

std::string EscapeCommands::prompt_line(std::string_view typed) {
    return "[tandem] " + std::string(typed);
}

EscapeReply EscapeCommands::run(const PromptLine& line) const {
    if (line.word.empty()) return {{}, true};
    if (line.word == "help") {
        const auto key = escape_key_name(escape_key_);
        return {{"commands: share [TTL], unshare, who, agree, refuse, take, help",
                 key + " again sends " + key +
                     " to the host; Esc, ^C or an empty line closes "
                     "this prompt"},
                false};
    }
    return {{user_message(ErrorCode::T_304_unknown_command)}, false};
}

}  // namespace tandem
