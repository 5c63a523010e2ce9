#include "tandem/invite_codec.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <jwt/jwt.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "es256_key.hpp"
#include "tandem/base64url.hpp"
#include "tandem/files.hpp"
#include "tandem/json_object.hpp"

namespace tandem {
namespace {

constexpr std::size_t kEs256SignatureBytes = 64;  // raw R || S, as JWS requires
constexpr std::size_t kMaxClaimLength = 128;
constexpr std::size_t kMaxKeyFileBytes = 64 * 1024;  // a P-256 PEM key is a few hundred bytes

void require_p256_private_key(const std::string& pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
    if (!bio) throw std::runtime_error("out of memory reading invite key");
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
    if (!key) throw std::runtime_error("invite key is not a PEM EC key");
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> owned(key, EVP_PKEY_free);
    char group[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
        !EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &len) ||
        std::string_view(group, len) != "prime256v1")
        throw std::runtime_error("invite key must be an EC P-256 key (ES256)");
}

bool is_bounded_string(const nlohmann::json& payload, const char* key) {
    auto it = payload.find(key);
    return it != payload.end() && it->is_string() && !it->get_ref<const std::string&>().empty() &&
           it->get_ref<const std::string&>().size() <= kMaxClaimLength;
}

bool is_time(const nlohmann::json& payload, const char* key) {
    auto it = payload.find(key);
    return it != payload.end() && it->is_number_integer();
}

}  // namespace

std::string_view to_string(InviteRejection rejection) {
    switch (rejection) {
        case InviteRejection::oversized:
            return "oversized";
        case InviteRejection::malformed:
            return "malformed";
        case InviteRejection::bad_algorithm:
            return "bad algorithm";
        case InviteRejection::bad_signature:
            return "bad signature";
        case InviteRejection::expired:
            return "expired";
        case InviteRejection::not_yet_valid:
            return "not yet valid";
        case InviteRejection::wrong_issuer:
            return "wrong issuer";
        case InviteRejection::wrong_audience:
            return "wrong audience";
        case InviteRejection::missing_claim:
            return "missing claim";
    }
    return "unknown";
}

bool looks_like_token(std::string_view text) {
    if (text.empty() || text.size() > InviteCodec::max_token_length) return false;
    int dots = 0;
    for (char c : text) {
        if (c == '.') {
            ++dots;
            continue;
        }
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        if (!ok) return false;
    }
    return dots == 2;
}

InviteCodec::InviteCodec(std::string signing_key_pem, std::string verify_key_pem,
                         std::string issuer, std::string audience)
    : signing_key_pem_(std::move(signing_key_pem)),
      verify_key_pem_(std::move(verify_key_pem)),
      issuer_(std::move(issuer)),
      audience_(std::move(audience)) {
    if (!signing_key_pem_.empty()) require_p256_private_key(signing_key_pem_);
    verify_key_ = std::make_shared<const Es256Key>(verify_key_pem_);
    if (issuer_.empty() || audience_.empty())
        throw std::runtime_error("issuer and audience required");
}

InviteCodec InviteCodec::from_files(const std::string& signing_key_path,
                                    const std::string& verify_key_path, std::string issuer) {
    return InviteCodec(
        signing_key_path.empty() ? std::string() : read_file(signing_key_path, kMaxKeyFileBytes),
        read_file(verify_key_path, kMaxKeyFileBytes), std::move(issuer),
        std::string(audience_invite));
}

std::string InviteCodec::encode(const InviteClaims& claims) const {
    if (signing_key_pem_.empty()) throw std::logic_error("verify-only invite codec");
    jwt::jwt_object obj{jwt::params::algorithm("ES256"), jwt::params::secret(signing_key_pem_)};
    obj.add_claim("iss", issuer_)
        .add_claim("aud", audience_)
        .add_claim("iat", static_cast<std::uint64_t>(claims.issued_at))
        .add_claim("exp", static_cast<std::uint64_t>(claims.expires_at))
        .add_claim("jti", claims.jti)
        .add_claim("shr", claims.share_id);
    std::error_code ec;
    std::string token = obj.signature(ec);
    if (ec) throw std::runtime_error("signing invite failed: " + ec.message());
    return token;
}

std::variant<InviteClaims, InviteRejection> InviteCodec::decode(std::string_view token,
                                                                std::int64_t now) const {
    if (token.size() > max_token_length) return InviteRejection::oversized;
    if (!looks_like_token(token)) return InviteRejection::malformed;

    auto first_dot = token.find('.');
    auto second_dot = token.find('.', first_dot + 1);
    auto header_b64 = token.substr(0, first_dot);
    auto payload_b64 = token.substr(first_dot + 1, second_dot - first_dot - 1);
    auto signature_b64 = token.substr(second_dot + 1);
    auto header_raw = base64url_decode(header_b64);
    auto payload_raw = base64url_decode(payload_b64);
    auto signature = base64url_decode(signature_b64);
    if (!header_raw || !payload_raw || !signature || header_b64.empty() || payload_b64.empty())
        return InviteRejection::malformed;

    // The algorithm is pinned before any library interprets the token.
    const auto header = parse_json_object(*header_raw);
    if (!header) return InviteRejection::malformed;
    for (const auto& [key, value] : header->items()) {
        if (key == "alg" && value == "ES256") continue;
        if (key == "typ" && value == "JWT") continue;
        return InviteRejection::bad_algorithm;
    }
    if (!header->contains("alg")) return InviteRejection::bad_algorithm;
    if (signature->size() != kEs256SignatureBytes) return InviteRejection::bad_signature;

    const auto parsed_payload = parse_json_object(*payload_raw);
    if (!parsed_payload) return InviteRejection::malformed;
    const nlohmann::json& payload = *parsed_payload;

    // The signature, with the key parsed once: a forged or mangled token costs an ECDSA check,
    // not cpp-jwt's PEM decoding (a millisecond under OpenSSL 3). cpp-jwt then verifies the
    // few tokens that pass, again, as the library the rest of the checks were built on.
    if (!verify_key_->verifies(token.substr(0, second_dot), *signature))
        return InviteRejection::bad_signature;

    std::error_code ec;
    try {
        jwt::decode(jwt::string_view(token.data(), token.size()),
                    jwt::params::algorithms({"ES256"}), ec, jwt::params::secret(verify_key_pem_),
                    jwt::params::verify(true));
    } catch (const std::exception&) {
        return InviteRejection::malformed;
    }
    if (ec) {
        if (ec == jwt::VerificationErrc::InvalidSignature ||
            ec == jwt::AlgorithmErrc::VerificationErr)
            return InviteRejection::bad_signature;
        if (ec == jwt::VerificationErrc::TokenExpired) return InviteRejection::expired;
        if (ec == jwt::VerificationErrc::InvalidAlgorithm) return InviteRejection::bad_algorithm;
        if (ec == jwt::VerificationErrc::ImmatureSignature) return InviteRejection::not_yet_valid;
        if (ec == jwt::VerificationErrc::TypeConversionError) return InviteRejection::missing_claim;
        return InviteRejection::malformed;  // any other library error is a failure too
    }

    // Claims are checked here, whatever cpp-jwt did: it only checks exp/nbf when present.
    for (const char* key : {"iss", "aud", "jti", "shr"})
        if (!is_bounded_string(payload, key)) return InviteRejection::missing_claim;
    for (const char* key : {"iat", "exp"})
        if (!is_time(payload, key)) return InviteRejection::missing_claim;
    if (payload["iss"] != issuer_) return InviteRejection::wrong_issuer;
    if (payload["aud"] != audience_) return InviteRejection::wrong_audience;
    InviteClaims claims;
    claims.issued_at = payload["iat"].get<std::int64_t>();
    claims.expires_at = payload["exp"].get<std::int64_t>();
    claims.jti = payload["jti"].get<std::string>();
    claims.share_id = payload["shr"].get<std::string>();
    if (now >= claims.expires_at) return InviteRejection::expired;
    if (claims.issued_at > now + clock_skew_seconds) return InviteRejection::not_yet_valid;
    return claims;
}

}  // namespace tandem
