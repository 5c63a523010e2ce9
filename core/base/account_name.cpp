#include "tandem/account_name.hpp"

#include "tandem/trim.hpp"

namespace tandem {
namespace {

bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// first char from `first`, the rest from `first` plus '.' and '-', 1..max_length in all.
template <typename FirstChar>
bool is_valid_name(std::string_view name, std::size_t max_length, FirstChar first) {
    if (name.empty() || name.size() > max_length || !first(name[0])) return false;
    for (char c : name.substr(1))
        if (!first(c) && c != '.' && c != '-') return false;
    return true;
}

}  // namespace

bool is_valid_login(std::string_view login) {
    return is_valid_name(login, 32, [](char c) { return is_alnum(c) || c == '_'; });
}

bool is_valid_host_name(std::string_view name) {
    return is_valid_name(name, 63, is_alnum);
}

std::optional<AccountName> AccountName::parse(std::string_view text) {
    text = trim(text);
    const auto at = text.find('@');
    if (at == std::string_view::npos) return std::nullopt;
    const auto login = text.substr(0, at);
    const auto host = text.substr(at + 1);
    if (!is_valid_login(login) || !is_valid_host_name(host)) return std::nullopt;
    return AccountName{std::string(login), std::string(host)};
}

}  // namespace tandem
