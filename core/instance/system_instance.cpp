// `tandem-admin init --system`: the files of the instance an existing tandem.conf describes (the
// packages' /etc/tandem/tandem.conf), created where missing and never overwritten, so the same
// call serves a first install and every upgrade (where opening the store runs its migrations).
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "pem_keys.hpp"
#include "tandem/files.hpp"
#include "tandem/instance.hpp"
#include "tandem/ssh_keys.hpp"
#include "tandem/store.hpp"

namespace fs = std::filesystem;

namespace tandem {
namespace {

void make_dir(const std::string& path, mode_t mode, std::vector<std::string>& created) {
    if (fs::is_directory(path)) return;
    const auto parent = fs::path(path).parent_path();
    if (!parent.empty() && !fs::is_directory(parent)) make_dir(parent.string(), 0755, created);
    if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST)
        throw std::runtime_error("cannot create directory " + path + ": " + std::strerror(errno));
    ::chmod(path.c_str(), mode);  // whatever the umask
    created.push_back(path);
}

std::string host_name() {
    char name[HOST_NAME_MAX + 1] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
    return name;
}

}  // namespace

SystemInstance init_system_instance(const Config& c) {
    SystemInstance out;
    auto& created = out.created;
    const auto store_file = sqlite_file_of(c.store_location());  // none on PostgreSQL
    if (store_file) make_dir(fs::path(*store_file).parent_path().string(), 0700, created);
    make_dir(c.session_recordings_dir, 0700, created);

    if (!path_exists(c.ssh_host_key)) {
        make_dir(fs::path(c.ssh_host_key).parent_path().string(), 0755, created);
        try {
            generate_ed25519_host_key(c.ssh_host_key, "tandem-sshd");
        } catch (const KeyError& e) {
            throw std::runtime_error(e.what());
        }
        created.push_back(c.ssh_host_key);
        created.push_back(c.ssh_host_key + ".pub");
    }
    if (!path_exists(c.invite_signing_key) && !path_exists(c.invite_verify_key)) {
        const auto keys = generate_p256_key_pair();
        write_new_file(c.invite_signing_key, keys.private_pem, 0600);
        created.push_back(c.invite_signing_key);
        write_new_file(c.invite_verify_key, keys.public_pem, 0644);
        created.push_back(c.invite_verify_key);
    }
    if (!path_exists(c.web_tls_key) && !path_exists(c.web_tls_cert)) {
        const std::string host = host_name();
        std::vector<std::string> names{"localhost"};
        if (host != "localhost") names.push_back(host);
        const auto tls = generate_self_signed_cert(host, names, {"127.0.0.1"}, kServerCertDays);
        write_new_file(c.web_tls_key, tls.key_pem, 0600);
        created.push_back(c.web_tls_key);
        write_new_file(c.web_tls_cert, tls.cert_pem, 0644);
        created.push_back(c.web_tls_cert);
    }
    if (!path_exists(c.cluster_tls_key) && !path_exists(c.cluster_tls_cert)) {
        make_dir(fs::path(c.cluster_tls_key).parent_path().string(), 0755, created);
        const auto cluster = generate_self_signed_cert("tandem cluster", {"tandem-cluster"}, {},
                                                       kServerCertDays, "serverAuth,clientAuth");
        write_new_file(c.cluster_tls_key, cluster.key_pem, 0600);
        created.push_back(c.cluster_tls_key);
        write_new_file(c.cluster_tls_cert, cluster.cert_pem, 0644);
        created.push_back(c.cluster_tls_cert);
    }
    if (store_file && !path_exists(*store_file)) created.push_back(*store_file);
    try {
        // Creates it, or brings an existing one to the current schema.
        Store::open(c.store_location());
    } catch (const StoreError& e) {
        throw std::runtime_error(e.what());
    }
    try {
        out.ssh_host_key_fingerprint =
            fingerprint_sha256(read_public_key_file(c.ssh_host_key + ".pub").front().blob_base64);
    } catch (const std::exception&) {
        // An admin-provided key without its .pub: the fingerprint is only informative.
    }
    return out;
}

}  // namespace tandem
