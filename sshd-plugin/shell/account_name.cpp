#include "account_name.hpp"

#include <algorithm>

namespace tandem {
namespace {

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

bool is_valid_part(std::string_view part, std::size_t max_length) {
    return !part.empty() && part.size() <= max_length &&
           std::all_of(part.begin(), part.end(), is_name_char);
}

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

}  // namespace

std::optional<AccountName> parse_account_name(std::string_view text) {
    text = trim(text);
    const auto at = text.find('@');
    if (at == std::string_view::npos) return std::nullopt;
    const auto login = text.substr(0, at);
    const auto host = text.substr(at + 1);
    if (!is_valid_part(login, 64) || !is_valid_part(host, 253)) return std::nullopt;
    return AccountName{std::string(login), std::string(host)};
}

}  // namespace tandem
