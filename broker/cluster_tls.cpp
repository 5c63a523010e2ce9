#include "cluster_tls.hpp"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <memory>

#include "tandem/errors.hpp"

namespace tandem::broker {
namespace {

namespace ssl = boost::asio::ssl;
using X509Ptr = std::shared_ptr<X509>;

X509Ptr read_certificate(const std::string& path) {
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "r"), &std::fclose);
    if (!file) return nullptr;
    return X509Ptr(PEM_read_X509(file.get(), nullptr, nullptr, nullptr), &X509_free);
}

}  // namespace

ssl::context make_cluster_tls(const Config& config, bool server) {
    ssl::context tls(server ? ssl::context::tls_server : ssl::context::tls_client);
    boost::system::error_code ec;
    // TLS 1.3 only: both ends are tandem of the same version.
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                        ssl::context::no_tlsv1_2,
                    ec);
    tls.use_certificate_file(config.cluster_tls_cert, ssl::context::pem, ec);
    if (ec)
        throw TandemError(
            ErrorCode::T_101_bad_config,
            "cannot load cluster.tls_cert " + config.cluster_tls_cert + ": " + ec.message());
    tls.use_private_key_file(config.cluster_tls_key, ssl::context::pem, ec);
    if (ec)
        throw TandemError(
            ErrorCode::T_101_bad_config,
            "cannot load cluster.tls_key " + config.cluster_tls_key + ": " + ec.message());
    auto ours = read_certificate(config.cluster_tls_cert);
    if (!ours)
        throw TandemError(ErrorCode::T_101_bad_config,
                          "cannot read cluster.tls_cert " + config.cluster_tls_cert);
    tls.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    // The peer's own certificate must be ours, byte for byte (it is self-signed, so OpenSSL's
    // chain check fails on its own; the comparison is the check).
    tls.set_verify_callback([ours](bool, ssl::verify_context& v) {
        X509_STORE_CTX* store = v.native_handle();
        if (X509_STORE_CTX_get_error_depth(store) > 0) return true;  // the leaf decides
        X509* presented = X509_STORE_CTX_get_current_cert(store);
        return presented != nullptr && X509_cmp(presented, ours.get()) == 0;
    });
    return tls;
}

}  // namespace tandem::broker
