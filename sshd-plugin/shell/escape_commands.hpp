// The commands of the creator's in-session prompt (opened with the escape key): the sharing
// commands of SessionCommand, which go to the broker, and help, answered here.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tandem/session_command.hpp"

namespace tandem {

struct EscapeReply {
    std::vector<std::string> lines;  // shown above the prompt line
    bool close_prompt = false;
};

// A line typed at an escape prompt, parsed once: the first word, as a SessionCommand when it is
// one, and the rest with the surrounding blanks taken off.
struct PromptLine {
    std::string word;
    std::optional<SessionCommand> command;
    std::string argument;
};
PromptLine parse_prompt_line(std::string_view line);

class EscapeCommands {
  public:
    explicit EscapeCommands(int escape_key) : escape_key_(escape_key) {}

    // Lines that are no sharing command (help, empty, unknown).
    EscapeReply run(const PromptLine& line) const;
    // The prompt line as drawn: label plus what the user typed.
    static std::string prompt_line(std::string_view typed);

  private:
    int escape_key_;
};

}  // namespace tandem
