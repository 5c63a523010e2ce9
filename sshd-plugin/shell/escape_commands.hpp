// The in-session prompt's own commands (opened with the escape key): help, and the answer to
// anything unknown. The sharing commands go to ShareLink (share_link.hpp) before this is asked.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tandem {

struct EscapeReply {
    std::vector<std::string> lines;  // shown above the prompt line
    bool close_prompt = false;
};

class EscapeCommands {
  public:
    explicit EscapeCommands(int escape_key) : escape_key_(escape_key) {}

    EscapeReply run(std::string_view line) const;
    // The prompt line as drawn: label plus what the user typed.
    static std::string prompt_line(std::string_view typed);

  private:
    int escape_key_;
};

}  // namespace tandem
