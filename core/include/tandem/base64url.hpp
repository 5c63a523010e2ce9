// Strict, canonical base64url (RFC 4648 §5, no padding): tokens and ids travel in URLs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tandem {

std::string base64url_encode(std::string_view bytes);
// nullopt unless `text` is canonical unpadded base64url (the only encoding of its bytes).
std::optional<std::string> base64url_decode(std::string_view text);
// `n` bytes from the OS CSPRNG, base64url-encoded.
std::string random_base64url(std::size_t n);

}  // namespace tandem
