// Invites are JWTs signed with the instance's EC P-256 key (ES256 only). Debian's cpp-jwt 1.4
// predates upstream's algorithm-confusion fix, so the header is checked here before cpp-jwt
// sees the token, `none` is never allowed, and every claim is checked here too.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

namespace tandem {

class Es256Key;

struct InviteClaims {
    std::string share_id;         // "shr": which share the invite opens
    std::string jti;              // unique invite id (audit; revocation is by share)
    std::int64_t issued_at = 0;   // "iat"
    std::int64_t expires_at = 0;  // "exp"
};

enum class InviteRejection {
    oversized,      // longer than max_token_length
    malformed,      // not three canonical base64url parts with JSON inside
    bad_algorithm,  // header names anything but ES256 (or carries other fields)
    bad_signature,  // signature does not verify with the instance's key
    expired,        // now >= exp
    not_yet_valid,  // iat in the future (beyond the clock-skew allowance)
    wrong_issuer,
    wrong_audience,
    missing_claim,  // iss, aud, exp, iat, jti or shr absent or of the wrong type
};

std::string_view to_string(InviteRejection rejection);

class InviteCodec {
  public:
    static constexpr std::size_t max_token_length = 2048;
    static constexpr std::int64_t clock_skew_seconds = 30;

    // signing_key_pem may be empty for a verify-only codec. Throws std::runtime_error when a
    // key does not parse as an EC P-256 key.
    InviteCodec(std::string signing_key_pem, std::string verify_key_pem, std::string issuer,
                std::string audience);

    std::string encode(const InviteClaims& claims) const;
    std::variant<InviteClaims, InviteRejection> decode(std::string_view token,
                                                       std::int64_t now) const;

    // Reads both PEM files of an instance (config invite.signing_key / invite.verify_key).
    static InviteCodec from_files(const std::string& signing_key_path,
                                  const std::string& verify_key_path, std::string issuer);

    static constexpr std::string_view audience_invite = "tandem-invite";

  private:
    std::string signing_key_pem_;
    std::string verify_key_pem_;
    std::shared_ptr<const Es256Key> verify_key_;  // parsed once (core/crypto/es256_key.hpp)
    std::string issuer_;
    std::string audience_;
};

// True when `text` could be a token at all: bounded, base64url characters and two dots.
// Cheap enough to run before anything else touches untrusted input.
bool looks_like_token(std::string_view text);

}  // namespace tandem
