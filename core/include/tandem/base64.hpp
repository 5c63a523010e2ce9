// Standard base64 (RFC 4648 §4), as in authorized_keys lines and password hashes.
// Used inside core (SSH keys, password hashes); URL tokens use tandem/base64url.hpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tandem::b64 {

std::string encode(std::string_view bytes, bool pad = true);
// Accepts padded or unpadded text; nullopt on any other character or impossible length.
std::optional<std::string> decode(std::string_view text);

}  // namespace tandem::b64
