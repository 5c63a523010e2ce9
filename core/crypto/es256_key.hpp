// An ES256 (ECDSA P-256, SHA-256) public key parsed once, checking JWS signatures without
// parsing its PEM again: OpenSSL 3 spends about a millisecond decoding a PEM key, which cpp-jwt
// does on every verification.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace tandem {

class Es256Key {
  public:
    // Throws std::runtime_error unless `pem` is a P-256 public key ("PUBLIC KEY" PEM).
    explicit Es256Key(const std::string& pem);

    // Whether `signature` (JWS form: R || S, 32 bytes each) signs `signing_input` (the token's
    // "header.payload" text) under this key.
    bool verifies(std::string_view signing_input, std::string_view signature) const;

  private:
    struct Key;
    std::shared_ptr<const Key> key_;
};

}  // namespace tandem
