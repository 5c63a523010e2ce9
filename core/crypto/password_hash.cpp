#include "tandem/password_hash.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <cstdint>
#include <optional>

#include "tandem/base64.hpp"

namespace tandem {
namespace {

constexpr int kLogN = 15;
constexpr std::uint32_t kR = 8;
constexpr std::uint32_t kP = 1;
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kKeyBytes = 32;

struct Params {
    int ln;
    std::uint32_t r;
    std::uint32_t p;
    std::string salt;
    std::string key;
};

std::optional<std::string> scrypt(const std::string& password, const std::string& salt, int ln,
                                  std::uint32_t r, std::uint32_t p, std::size_t key_len) {
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "SCRYPT", nullptr);
    if (!kdf) return std::nullopt;
    EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    if (!ctx) return std::nullopt;
    std::uint64_t n = std::uint64_t{1} << ln;
    std::uint64_t maxmem = 512ull * 1024 * 1024;  // above 128*r*N for every set parse() accepts
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
                                          const_cast<char*>(password.data()), password.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()),
                                          salt.size()),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
        OSSL_PARAM_construct_end(),
    };
    std::string out(key_len, '\0');
    const int ok =
        EVP_KDF_derive(ctx, reinterpret_cast<unsigned char*>(out.data()), out.size(), params);
    EVP_KDF_CTX_free(ctx);
    if (ok != 1) return std::nullopt;
    return out;
}

bool parse_uint(const std::string& text, std::uint32_t max, std::uint32_t& out) {
    if (text.empty() || text.size() > 4) return false;
    std::uint32_t v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (v == 0 || v > max) return false;
    out = v;
    return true;
}

// "$scrypt$ln=15,r=8,p=1$salt$key"; bounds keep a planted hash from costing minutes or GiB.
std::optional<Params> parse(const std::string& encoded) {
    const std::string prefix = "$scrypt$";
    if (encoded.size() > 512 || encoded.rfind(prefix, 0) != 0) return std::nullopt;
    const auto p1 = encoded.find('$', prefix.size());
    if (p1 == std::string::npos) return std::nullopt;
    const auto p2 = encoded.find('$', p1 + 1);
    if (p2 == std::string::npos) return std::nullopt;
    const std::string fields = encoded.substr(prefix.size(), p1 - prefix.size());
    const auto c1 = fields.find(',');
    const auto c2 = fields.find(',', c1 == std::string::npos ? c1 : c1 + 1);
    if (c1 == std::string::npos || c2 == std::string::npos) return std::nullopt;
    const std::string ln = fields.substr(0, c1);
    const std::string r = fields.substr(c1 + 1, c2 - c1 - 1);
    const std::string p = fields.substr(c2 + 1);
    if (ln.rfind("ln=", 0) != 0 || r.rfind("r=", 0) != 0 || p.rfind("p=", 0) != 0)
        return std::nullopt;
    Params out{};
    std::uint32_t ln_value = 0;
    if (!parse_uint(ln.substr(3), 18, ln_value) || ln_value < 10) return std::nullopt;
    if (!parse_uint(r.substr(2), 8, out.r) || !parse_uint(p.substr(2), 4, out.p))
        return std::nullopt;
    out.ln = static_cast<int>(ln_value);
    auto salt = b64::decode(encoded.substr(p1 + 1, p2 - p1 - 1));
    auto key = b64::decode(encoded.substr(p2 + 1));
    if (!salt || !key || salt->size() < 8 || key->size() < 16 || key->size() > 64)
        return std::nullopt;
    out.salt = std::move(*salt);
    out.key = std::move(*key);
    return out;
}

}  // namespace

std::string hash_password(const std::string& password) {
    if (password.empty()) throw PasswordError("the password is empty");
    if (password.size() > kMaxPasswordLength)
        throw PasswordError("the password is longer than " + std::to_string(kMaxPasswordLength) +
                            " bytes");
    std::string salt(kSaltBytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) !=
        1)
        throw PasswordError("no randomness for the salt");
    const auto key = scrypt(password, salt, kLogN, kR, kP, kKeyBytes);
    if (!key) throw PasswordError("scrypt failed");
    return "$scrypt$ln=" + std::to_string(kLogN) + ",r=" + std::to_string(kR) +
           ",p=" + std::to_string(kP) + "$" + b64::encode(salt, false) + "$" +
           b64::encode(*key, false);
}

bool verify_password(const std::string& password, const std::string& encoded) {
    if (password.empty() || password.size() > kMaxPasswordLength) return false;
    const auto params = parse(encoded);
    if (!params) return false;
    const auto key =
        scrypt(password, params->salt, params->ln, params->r, params->p, params->key.size());
    if (!key) return false;
    return CRYPTO_memcmp(key->data(), params->key.data(), key->size()) == 0;
}

}  // namespace tandem
