#include "pem_keys.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace tandem {
namespace {

template <auto Fn>
struct Free {
    template <typename T>
    void operator()(T* p) const {
        Fn(p);
    }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, Free<BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Free<X509_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Free<X509_EXTENSION_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Free<BN_free>>;

[[noreturn]] void fail(const std::string& what) {
    char buf[256];
    ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
    ERR_clear_error();
    throw std::runtime_error(what + ": " + buf);
}

PkeyPtr new_p256() {
    PkeyPtr key(EVP_EC_gen("P-256"));
    if (!key) fail("cannot generate a P-256 key");
    return key;
}

template <typename WriteFn>
std::string to_pem(WriteFn write) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || write(bio.get()) != 1) fail("cannot encode PEM");
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

std::string private_pem(EVP_PKEY* key) {
    return to_pem([&](BIO* b) {
        return PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
    });
}

std::string public_pem(EVP_PKEY* key) {
    return to_pem([&](BIO* b) { return PEM_write_bio_PUBKEY(b, key); });
}

void add_extension(X509* cert, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) fail("cannot add a certificate extension");
}

}  // namespace

PemKeyPair generate_p256_key_pair() {
    const auto key = new_p256();
    return {private_pem(key.get()), public_pem(key.get())};
}

SelfSignedCert generate_self_signed_cert(const std::string& common_name,
                                         const std::vector<std::string>& dns_names,
                                         const std::vector<std::string>& ip_addresses, int days,
                                         const std::string& key_usage) {
    const auto key = new_p256();
    X509Ptr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), 2) != 1) fail("cannot create a certificate");

    // A random positive 127-bit serial, as CAs are required to use.
    unsigned char serial_bytes[16];
    if (RAND_bytes(serial_bytes, sizeof serial_bytes) != 1) fail("no randomness");
    serial_bytes[0] &= 0x7f;
    BnPtr serial(BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr));
    if (!serial || !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())))
        fail("cannot set the serial number");

    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400L * days))
        fail("cannot set the validity period");
    X509_NAME* name = X509_get_subject_name(cert.get());
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                   -1, 0) != 1 ||
        X509_set_issuer_name(cert.get(), name) != 1)
        fail("cannot set the certificate name");
    if (X509_set_pubkey(cert.get(), key.get()) != 1) fail("cannot set the certificate key");

    std::string san;
    for (const auto& d : dns_names) san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
    for (const auto& ip : ip_addresses) san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
    add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), NID_key_usage, "critical,digitalSignature");
    add_extension(cert.get(), NID_ext_key_usage, key_usage);
    add_extension(cert.get(), NID_subject_key_identifier, "hash");
    if (!san.empty()) add_extension(cert.get(), NID_subject_alt_name, san);

    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) fail("cannot sign the certificate");
    SelfSignedCert out;
    out.key_pem = private_pem(key.get());
    out.cert_pem = to_pem([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); });
    return out;
}

}  // namespace tandem
