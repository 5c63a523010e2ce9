// EC P-256 key pairs and a self-signed TLS certificate, as PEM text (OpenSSL 3). Private to
// tandem-instance.
#pragma once

#include <string>
#include <vector>

namespace tandem {

struct PemKeyPair {
    std::string private_pem;  // PKCS#8 "PRIVATE KEY"
    std::string public_pem;   // SubjectPublicKeyInfo "PUBLIC KEY"
};

// A fresh P-256 key pair (for ES256 invite signatures). Throws std::runtime_error.
PemKeyPair generate_p256_key_pair();

struct SelfSignedCert {
    std::string key_pem;
    std::string cert_pem;
};

// How long the generated web certificates last: the longest validity browsers accept for a
// server certificate.
constexpr int kServerCertDays = 825;

// P-256 key and X.509 v3 certificate for CN=common_name with DNS and IP subject alternative
// names, valid for `days`. Throws std::runtime_error.
SelfSignedCert generate_self_signed_cert(const std::string& common_name,
                                         const std::vector<std::string>& dns_names,
                                         const std::vector<std::string>& ip_addresses, int days,
                                         const std::string& key_usage = "serverAuth");

}  // namespace tandem
