// `tandem-admin init --system`, as the packages' postinst runs it on first install and on every
// upgrade: it creates what the config's instance lacks and never replaces what exists.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tandem/files.hpp"
#include "tandem/store.hpp"

namespace tandem {
namespace {

namespace fs = std::filesystem;

class AdminSystemInitTest : public ::testing::Test {
  protected:
    void SetUp() override {
        admin_ = fs::read_symlink("/proc/self/exe").parent_path() / "tandem-admin";
        if (!fs::exists(admin_)) GTEST_SKIP() << "tandem-admin not built beside the tests";
        char tmpl[] = "/tmp/tandem-sysinit-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        fs::create_directories(dir_ + "/etc");
        // Laid out like the packages: config and keys in etc/, state in lib/.
        std::ofstream(dir_ + "/etc/tandem.conf")
            << "[store]\npath = " << dir_ << "/lib/tandem.db\n"
            << "[ssh]\nhost_key = " << dir_ << "/etc/ssh_host_ed25519_key\n"
            << "[web]\ntls_cert = " << dir_ << "/etc/tls.crt\ntls_key = " << dir_
            << "/etc/tls.key\n"
            << "[invite]\nsigning_key = " << dir_ << "/etc/invite-signing.pem\n"
            << "verify_key = " << dir_ << "/etc/invite-verify.pem\n"
            << "[session]\nrecordings_dir = " << dir_ << "/lib/recordings\n";
    }
    void TearDown() override {
        if (!dir_.empty()) fs::remove_all(dir_);
    }
    int admin(const std::string& args) {
        const std::string cmd = admin_.string() + " --config " + dir_ + "/etc/tandem.conf " + args +
                                " >" + dir_ + "/stdout 2>" + dir_ + "/stderr";
        const int status = std::system(cmd.c_str());
        out_ = read_file(dir_ + "/stdout", 1 << 20);
        err_ = read_file(dir_ + "/stderr", 1 << 20);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    static unsigned mode(const std::string& path) {
        struct stat st {};
        return ::stat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
    }

    fs::path admin_;
    std::string dir_, out_, err_;
};

TEST_F(AdminSystemInitTest, FirstInstallCreatesEverythingPrivate) {
    ASSERT_EQ(admin("init --system"), 0) << err_;
    for (const char* f : {"/etc/ssh_host_ed25519_key", "/etc/tls.key", "/etc/invite-signing.pem"})
        EXPECT_EQ(mode(dir_ + f), 0600u) << f;
    EXPECT_EQ(mode(dir_ + "/lib"), 0700u);
    EXPECT_EQ(mode(dir_ + "/lib/recordings"), 0700u);
    EXPECT_TRUE(fs::exists(dir_ + "/lib/tandem.db"));
    EXPECT_NE(out_.find("created " + dir_ + "/etc/ssh_host_ed25519_key"), std::string::npos);
    EXPECT_NE(out_.find("is ready (ssh host key SHA256:"), std::string::npos) << out_;
    // The instance works: a user can be added to it.
    ASSERT_EQ(admin("user add alice --admin"), 0) << err_;
}

TEST_F(AdminSystemInitTest, UpgradeKeepsKeysStoreAndRecordings) {
    ASSERT_EQ(admin("init --system"), 0) << err_;
    ASSERT_EQ(admin("user add alice"), 0) << err_;
    const std::string key = read_file(dir_ + "/etc/ssh_host_ed25519_key", 1 << 16);
    const std::string cert = read_file(dir_ + "/etc/tls.crt", 1 << 16);
    std::ofstream(dir_ + "/lib/recordings/old.cast") << "{}\n";

    ASSERT_EQ(admin("init --system"), 0) << err_;
    EXPECT_EQ(out_.find("created"), std::string::npos) << out_;
    EXPECT_EQ(read_file(dir_ + "/etc/ssh_host_ed25519_key", 1 << 16), key);
    EXPECT_EQ(read_file(dir_ + "/etc/tls.crt", 1 << 16), cert);
    EXPECT_TRUE(fs::exists(dir_ + "/lib/recordings/old.cast"));
    // alice is still there: adding her again is refused as a duplicate.
    EXPECT_NE(admin("user add alice"), 0);
    EXPECT_NE(err_.find("alice"), std::string::npos) << err_;
}

TEST_F(AdminSystemInitTest, NeedsAConfigFileAndOneMode) {
    const std::string cmd = "TANDEM_CONFIG= " + admin_.string() +
                            " init --system --store.path=" + dir_ + "/x.db >/dev/null 2>" + dir_ +
                            "/stderr";
    // Without a config file the defaults point into /etc: refused rather than half-created.
    if (!fs::exists("/etc/tandem/tandem.conf")) {
        EXPECT_NE(std::system(cmd.c_str()), 0);
        EXPECT_NE(read_file(dir_ + "/stderr", 1 << 16).find("needs a config file"),
                  std::string::npos);
    }
    EXPECT_EQ(admin("init --system --dir " + dir_ + "/d"), 2);
    EXPECT_NE(err_.find("give --dir DIR or --system"), std::string::npos) << err_;
}

}  // namespace
}  // namespace tandem
