#include "tandem/instance.hpp"

#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "pem_keys.hpp"
#include "tandem/files.hpp"
#include "tandem/ssh_keys.hpp"
#include "tandem/store.hpp"

namespace fs = std::filesystem;

namespace tandem {
namespace {

// Everything init creates, removed again if a later step fails, so a retry starts clean
// (and nothing that existed before is ever touched).
class CreatedFiles {
  public:
    ~CreatedFiles() {
        if (committed_) return;
        for (auto it = paths_.rbegin(); it != paths_.rend(); ++it) {
            std::error_code ec;
            fs::remove(*it, ec);
        }
    }
    void add(const std::string& path) { paths_.push_back(path); }
    void commit() { committed_ = true; }

  private:
    std::vector<std::string> paths_;
    bool committed_ = false;
};

// mkdir with an exact mode; true when it was created now.
bool make_private_dir(const std::string& path) {
    if (::mkdir(path.c_str(), 0700) == 0) {
        ::chmod(path.c_str(), 0700);  // whatever the umask
        return true;
    }
    if (errno == EEXIST && fs::is_directory(path)) return false;
    throw std::runtime_error("cannot create directory " + path + ": " + std::strerror(errno));
}

bool overridden(const std::vector<std::pair<std::string, std::string>>& overrides,
                const std::string& key) {
    for (const auto& [k, v] : overrides)
        if (k == key) return true;
    return false;
}

Config instance_config(const std::string& dir,
                       const std::vector<std::pair<std::string, std::string>>& overrides) {
    Config c;
    c.store_path = dir + "/tandem.db";
    c.ssh_host_key = dir + "/ssh_host_ed25519_key";
    c.invite_signing_key = dir + "/invite-signing.pem";
    c.invite_verify_key = dir + "/invite-verify.pem";
    c.web_tls_key = dir + "/tls.key";
    c.web_tls_cert = dir + "/tls.crt";
    c.cluster_tls_key = dir + "/cluster.key";
    c.cluster_tls_cert = dir + "/cluster.crt";
    c.session_recordings_dir = dir + "/recordings";
    c.broker_socket = dir + "/broker.sock";
    c.log_file = dir + "/tandem.log";
    c = apply_overrides(std::move(c), overrides);
    // Invite URLs must point where the broker really listens.
    if (!overridden(overrides, "web.public_url")) {
        if (const auto hp = parse_host_port(c.web_listen))
            c.web_public_url = "https://localhost:" + std::to_string(hp->second);
    }
    return c;
}

}  // namespace

Instance create_instance(const std::string& dir_arg,
                         const std::vector<std::pair<std::string, std::string>>& overrides) {
    if (dir_arg.empty()) throw std::runtime_error("the instance directory is empty");
    std::string dir = fs::absolute(dir_arg).lexically_normal().string();
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    const std::string config_path = dir + "/tandem.conf";
    if (path_exists(config_path))
        throw std::runtime_error(config_path +
                                 " already exists; refusing to overwrite an instance");

    Instance instance;
    instance.dir = dir;
    instance.config_path = config_path;
    instance.config = instance_config(dir, overrides);
    const Config& c = instance.config;

    CreatedFiles created;
    std::error_code ec;
    if (!fs::exists(dir)) {
        fs::create_directories(fs::path(dir).parent_path(), ec);
        if (make_private_dir(dir)) created.add(dir);
    } else if (!fs::is_directory(dir)) {
        throw std::runtime_error(dir + " exists and is not a directory");
    }
    if (make_private_dir(c.session_recordings_dir)) created.add(c.session_recordings_dir);

    try {
        created.add(c.ssh_host_key);
        created.add(c.ssh_host_key + ".pub");
        const auto host_key = generate_ed25519_host_key(c.ssh_host_key, "tandem-sshd");
        instance.ssh_host_key_fingerprint = fingerprint_sha256(host_key.blob_base64);
    } catch (const KeyError& e) {
        throw std::runtime_error(e.what());
    }

    const auto invite_keys = generate_p256_key_pair();
    write_new_file(c.invite_signing_key, invite_keys.private_pem, 0600);
    created.add(c.invite_signing_key);
    write_new_file(c.invite_verify_key, invite_keys.public_pem, 0644);
    created.add(c.invite_verify_key);

    const auto tls =
        generate_self_signed_cert("localhost", {"localhost"}, {"127.0.0.1"}, kServerCertDays);
    write_new_file(c.web_tls_key, tls.key_pem, 0600);
    created.add(c.web_tls_key);
    write_new_file(c.web_tls_cert, tls.cert_pem, 0644);
    created.add(c.web_tls_cert);

    // The nodes' link certificate: copied, with the invite keys, to every node that joins.
    const auto cluster = generate_self_signed_cert("tandem cluster", {"tandem-cluster"}, {},
                                                   kServerCertDays, "serverAuth,clientAuth");
    write_new_file(c.cluster_tls_key, cluster.key_pem, 0600);
    created.add(c.cluster_tls_key);
    write_new_file(c.cluster_tls_cert, cluster.cert_pem, 0644);
    created.add(c.cluster_tls_cert);

    const auto store_file = sqlite_file_of(c.store_location());  // none on PostgreSQL
    if (store_file && !path_exists(*store_file)) {
        created.add(*store_file);
        created.add(*store_file + "-wal");
        created.add(*store_file + "-shm");
    }
    try {
        Store::open(c.store_location());
    } catch (const StoreError& e) {
        throw std::runtime_error(e.what());
    }

    // Last, so a failed init leaves no config pointing at missing files.
    write_new_file(config_path, render_config(c), 0644);
    created.commit();
    instance.config.config_path = config_path;
    return instance;
}

}  // namespace tandem
