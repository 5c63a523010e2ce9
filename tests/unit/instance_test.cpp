#include "tandem/instance.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tandem/errors.hpp"
#include "tandem/ssh_keys.hpp"
#include "tandem/store.hpp"

namespace tandem {
namespace {

namespace fs = std::filesystem;

unsigned mode_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
}

class InstanceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/tandem-instance-test-XXXXXX";
        root_ = ::mkdtemp(tmpl);
        dir_ = root_ + "/inst";
    }
    void TearDown() override { fs::remove_all(root_); }
    std::string root_;
    std::string dir_;
};

TEST_F(InstanceTest, CreatesEveryFileWithTheRightModeAndTheConfigLoadsBack) {
    const Instance inst = create_instance(dir_);
    EXPECT_EQ(inst.dir, dir_);
    EXPECT_EQ(inst.config_path, dir_ + "/tandem.conf");
    EXPECT_EQ(mode_of(dir_), 0700u);
    EXPECT_EQ(mode_of(dir_ + "/tandem.conf"), 0644u);
    EXPECT_EQ(mode_of(dir_ + "/tandem.db"), 0600u);
    EXPECT_EQ(mode_of(dir_ + "/ssh_host_ed25519_key"), 0600u);
    EXPECT_EQ(mode_of(dir_ + "/ssh_host_ed25519_key.pub"), 0644u);
    EXPECT_EQ(mode_of(dir_ + "/invite-signing.pem"), 0600u);
    EXPECT_EQ(mode_of(dir_ + "/invite-verify.pem"), 0644u);
    EXPECT_EQ(mode_of(dir_ + "/tls.key"), 0600u);
    EXPECT_EQ(mode_of(dir_ + "/tls.crt"), 0644u);
    EXPECT_EQ(mode_of(dir_ + "/cluster.key"), 0600u);
    EXPECT_EQ(mode_of(dir_ + "/cluster.crt"), 0644u);
    EXPECT_EQ(mode_of(dir_ + "/recordings"), 0700u);
    EXPECT_TRUE(fs::is_directory(dir_ + "/recordings"));

    const Config c = load_config_file(inst.config_path);
    EXPECT_EQ(c.store_path, dir_ + "/tandem.db");
    EXPECT_EQ(c.ssh_host_key, dir_ + "/ssh_host_ed25519_key");
    EXPECT_EQ(c.invite_signing_key, dir_ + "/invite-signing.pem");
    EXPECT_EQ(c.invite_verify_key, dir_ + "/invite-verify.pem");
    EXPECT_EQ(c.web_tls_cert, dir_ + "/tls.crt");
    EXPECT_EQ(c.web_tls_key, dir_ + "/tls.key");
    EXPECT_EQ(c.cluster_tls_cert, dir_ + "/cluster.crt");
    EXPECT_EQ(c.cluster_tls_key, dir_ + "/cluster.key");
    EXPECT_EQ(c.session_recordings_dir, dir_ + "/recordings");
    EXPECT_EQ(c.broker_socket, dir_ + "/broker.sock");
    EXPECT_EQ(c.log_file, dir_ + "/tandem.log");
    EXPECT_EQ(render_config(c), render_config(inst.config));

    Store store = Store::open_existing(c.store_path);
    EXPECT_EQ(store.schema_version(), 8);
    EXPECT_NO_THROW(read_private_key_file(c.ssh_host_key));
    EXPECT_EQ(fingerprint_sha256(read_public_key_file(c.ssh_host_key + ".pub")[0].blob_base64),
              inst.ssh_host_key_fingerprint);
}

TEST_F(InstanceTest, KeysAndCertificateAreWhatTheBrokerNeeds) {
    const Instance inst = create_instance(dir_);
    auto read_pem = [](const std::string& path, auto reader) {
        FILE* f = std::fopen(path.c_str(), "r");
        EXPECT_NE(f, nullptr) << path;
        auto* obj = reader(f);
        std::fclose(f);
        return obj;
    };
    EVP_PKEY* signing = read_pem(inst.config.invite_signing_key, [](FILE* f) {
        return PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
    });
    EVP_PKEY* verify = read_pem(inst.config.invite_verify_key, [](FILE* f) {
        return PEM_read_PUBKEY(f, nullptr, nullptr, nullptr);
    });
    ASSERT_TRUE(signing && verify);
    EXPECT_TRUE(EVP_PKEY_is_a(signing, "EC"));
    EXPECT_EQ(EVP_PKEY_get_bits(signing), 256);
    EXPECT_EQ(EVP_PKEY_eq(signing, verify), 1);  // the verify key is the signing key's half

    X509* cert = read_pem(inst.config.web_tls_cert,
                          [](FILE* f) { return PEM_read_X509(f, nullptr, nullptr, nullptr); });
    EVP_PKEY* tls_key = read_pem(inst.config.web_tls_key, [](FILE* f) {
        return PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
    });
    ASSERT_TRUE(cert && tls_key);
    EXPECT_EQ(X509_check_private_key(cert, tls_key), 1);
    EXPECT_EQ(X509_check_host(cert, "localhost", 0, 0, nullptr), 1);
    EXPECT_EQ(X509_check_ip_asc(cert, "127.0.0.1", 0), 1);
    EXPECT_EQ(X509_verify(cert, tls_key), 1);  // self-signed
    int days = 0, secs = 0;
    ASSERT_EQ(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(cert), X509_get0_notAfter(cert)), 1);
    EXPECT_GE(days, 825);
    EXPECT_LE(days, 826);
    X509_free(cert);
    EVP_PKEY_free(tls_key);
    EVP_PKEY_free(signing);
    EVP_PKEY_free(verify);
}

TEST_F(InstanceTest, OverridesAreWrittenIntoTheConfig) {
    const Instance inst = create_instance(dir_, {{"ssh.listen", "127.0.0.1:2222"},
                                                 {"web.listen", "127.0.0.1:9443"},
                                                 {"target.keepalive_interval", "2s"}});
    const Config c = load_config_file(inst.config_path);
    EXPECT_EQ(c.ssh_listen, "127.0.0.1:2222");
    EXPECT_EQ(c.web_listen, "127.0.0.1:9443");
    EXPECT_EQ(c.web_public_url, "https://localhost:9443");  // follows the broker's port
    EXPECT_EQ(c.target_keepalive_interval, Seconds(2));
    EXPECT_EQ(c.store_path, dir_ + "/tandem.db");
}

TEST_F(InstanceTest, NeverClobbersAnExistingInstance) {
    create_instance(dir_);
    const std::string before = [&] {
        std::ifstream in(dir_ + "/invite-signing.pem");
        return std::string(std::istreambuf_iterator<char>(in), {});
    }();
    try {
        create_instance(dir_);
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("already exists"), std::string::npos);
    }
    std::ifstream in(dir_ + "/invite-signing.pem");
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), before);
}

TEST_F(InstanceTest, FailedInitLeavesNothingBehind) {
    fs::create_directories(dir_);
    std::ofstream(dir_ + "/tls.key") << "precious";  // a file init would have created
    EXPECT_THROW(create_instance(dir_), std::runtime_error);
    EXPECT_FALSE(fs::exists(dir_ + "/tandem.conf"));
    EXPECT_FALSE(fs::exists(dir_ + "/ssh_host_ed25519_key"));
    EXPECT_FALSE(fs::exists(dir_ + "/invite-signing.pem"));
    std::ifstream in(dir_ + "/tls.key");
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "precious");
    // With the obstacle gone, init succeeds.
    fs::remove(dir_ + "/tls.key");
    EXPECT_NO_THROW(create_instance(dir_));
}

TEST_F(InstanceTest, BadOverrideIsAConfigError) {
    try {
        create_instance(dir_, {{"ssh.nope", "1"}});
        FAIL();
    } catch (const TandemError& e) {
        EXPECT_EQ(e.code(), ErrorCode::T_101_bad_config);
        EXPECT_NE(e.detail().find("ssh.nope"), std::string::npos);
    }
    EXPECT_FALSE(fs::exists(dir_ + "/tandem.conf"));
}

}  // namespace
}  // namespace tandem
