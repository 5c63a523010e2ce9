#include "es256_key.hpp"

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <stdexcept>

namespace tandem {

// Not in an anonymous namespace: Es256Key::Key holds these, and GCC warns (an error here) when
// a type with external linkage holds one that has none, as a unity build shows.
namespace es256_detail {

constexpr std::size_t kHalf = 32;  // P-256: R and S are 32 bytes each

template <typename T, void (*Free)(T*)>
struct Freer {
    void operator()(T* p) const { Free(p); }
};
using Bio = std::unique_ptr<BIO, Freer<BIO, BIO_free_all>>;
using Pkey = std::unique_ptr<EVP_PKEY, Freer<EVP_PKEY, EVP_PKEY_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Freer<EVP_MD_CTX, EVP_MD_CTX_free>>;
using Sig = std::unique_ptr<ECDSA_SIG, Freer<ECDSA_SIG, ECDSA_SIG_free>>;
using Md = std::unique_ptr<EVP_MD, Freer<EVP_MD, EVP_MD_free>>;

}  // namespace es256_detail

struct Es256Key::Key {
    es256_detail::Pkey pkey;
    // Fetched once too: EVP_sha256() is looked up in the providers on every use.
    es256_detail::Md sha256;
};

Es256Key::Es256Key(const std::string& pem) {
    using namespace es256_detail;
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) throw std::runtime_error("out of memory reading an ES256 key");
    Pkey pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    char group[64] = {};
    size_t len = 0;
    if (!pkey || EVP_PKEY_get_base_id(pkey.get()) != EVP_PKEY_EC ||
        !EVP_PKEY_get_utf8_string_param(pkey.get(), "group", group, sizeof group, &len) ||
        std::string_view(group, len) != "prime256v1")
        throw std::runtime_error("not an EC P-256 public key (ES256)");
    auto key = std::make_shared<Key>();
    key->pkey = std::move(pkey);
    key->sha256.reset(EVP_MD_fetch(nullptr, "SHA256", nullptr));
    if (!key->sha256) throw std::runtime_error("OpenSSL has no SHA-256");
    key_ = std::move(key);
}

bool Es256Key::verifies(std::string_view signing_input, std::string_view signature) const {
    using namespace es256_detail;
    if (signature.size() != 2 * kHalf) return false;
    // JWS carries R || S; OpenSSL verifies the DER form.
    const auto* raw = reinterpret_cast<const unsigned char*>(signature.data());
    Sig sig(ECDSA_SIG_new());
    if (!sig) return false;
    BIGNUM* r = BN_bin2bn(raw, kHalf, nullptr);
    BIGNUM* s = BN_bin2bn(raw + kHalf, kHalf, nullptr);
    if (r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        return false;
    }
    unsigned char* der = nullptr;
    const int der_len = i2d_ECDSA_SIG(sig.get(), &der);
    if (der_len <= 0) return false;
    std::unique_ptr<unsigned char, void (*)(unsigned char*)> owned_der(
        der, [](unsigned char* p) { OPENSSL_free(p); });
    MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, key_->sha256.get(), nullptr,
                                     key_->pkey.get()) != 1)
        return false;
    return EVP_DigestVerify(ctx.get(), der, static_cast<std::size_t>(der_len),
                            reinterpret_cast<const unsigned char*>(signing_input.data()),
                            signing_input.size()) == 1;
}

}  // namespace tandem
