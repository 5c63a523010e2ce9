// Trimming blanks off both ends of a piece of text: one definition for every parser (prompt
// lines, escape commands, account names, header values).
#pragma once

#include <string_view>

namespace tandem {

inline std::string_view trim(std::string_view text, std::string_view blanks = " \t\r\n") {
    const auto first = text.find_first_not_of(blanks);
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(blanks) - first + 1);
}

}  // namespace tandem
