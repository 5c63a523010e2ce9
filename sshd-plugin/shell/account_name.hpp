// LOGIN@HOST as users type it ("root@web01"): parsed and validated before it reaches the store.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tandem {

struct AccountName {
    std::string login;
    std::string host;
    std::string text() const { return login + "@" + host; }
};

// nullopt unless the text is exactly LOGIN@HOST with both parts made of letters, digits, '.',
// '_' and '-' (login up to 64, host up to 253 characters). Leading/trailing blanks are ignored.
std::optional<AccountName> parse_account_name(std::string_view text);

}  // namespace tandem
