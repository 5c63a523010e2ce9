// LOGIN@HOST, the name of an account on a managed host ("root@web01"), as users type it at the
// bastion prompt and admins pass it to tandem-admin. One rule for every component: what
// tandem-admin can create is exactly what the shell and the broker can name.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tandem {

struct AccountName {
    std::string login;
    std::string host;

    // nullopt unless text is exactly LOGIN@HOST with a valid login and host name (below).
    // Blanks around the whole text are ignored; none may stand inside it.
    static std::optional<AccountName> parse(std::string_view text);
    std::string text() const { return login + "@" + host; }
};

// A login on a managed host: a letter, digit or '_', then up to 31 of A-Z a-z 0-9 _ . -
bool is_valid_login(std::string_view login);
// A managed host's name: a letter or digit, then up to 62 of A-Z a-z 0-9 . -
bool is_valid_host_name(std::string_view name);

}  // namespace tandem
