// Web login passwords, stored as scrypt hashes (OpenSSL 3 EVP_KDF "SCRYPT"):
// "$scrypt$ln=15,r=8,p=1$<base64 salt>$<base64 key>" (unpadded standard base64).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace tandem {

inline constexpr std::size_t kMaxPasswordLength = 1024;  // bounds the work an attacker can ask for

class PasswordError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A fresh hash with a random salt. Throws PasswordError when the password is empty or longer
// than kMaxPasswordLength, or the KDF fails.
std::string hash_password(const std::string& password);

// Constant-time check of password against an encoded hash. False for a wrong password, a
// malformed or empty hash, parameters outside sane bounds, or an overlong password.
bool verify_password(const std::string& password, const std::string& encoded);

}  // namespace tandem
