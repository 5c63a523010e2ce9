// Keys checked against OpenSSH's own ssh-keygen, and host keys fetched from a real sshd.
#include "tandem/ssh_keys.hpp"

#include "tandem/files.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

namespace tandem {
namespace {

namespace fs = std::filesystem;

std::string run(const std::string& cmd) {
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return out;
    std::array<char, 4096> buf{};
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    ::pclose(p);
    return out;
}

std::string slurp(const std::string& path) {
    return read_file(path, 1 << 20);
}

class SshKeysTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/tandem-keys-test-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
    }
    void TearDown() override { fs::remove_all(dir_); }
    // ssh-keygen key; returns the private key path.
    std::string keygen(const std::string& name, const std::string& type,
                       const std::string& passphrase = "") {
        const std::string path = dir_ + "/" + name;
        run("ssh-keygen -q -t " + type + (type == "rsa" ? " -b 2048" : "") + " -N '" + passphrase +
            "' -C 'me@laptop' -f " + path);
        return path;
    }
    std::string write(const std::string& name, const std::string& text) {
        const std::string path = dir_ + "/" + name;
        std::ofstream(path) << text;
        return path;
    }
    std::string dir_;
};

TEST_F(SshKeysTest, ParsesKeysOfEveryTypeWithOpenSshFingerprints) {
    for (const std::string type : {"ed25519", "ecdsa", "rsa"}) {
        const auto key = keygen("k_" + type, type);
        const auto keys = read_public_key_file(key + ".pub");
        ASSERT_EQ(keys.size(), 1u) << type;
        EXPECT_EQ(keys[0].comment, "me@laptop");
        EXPECT_EQ(slurp(key + ".pub"),
                  keys[0].type + " " + keys[0].blob_base64 + " " + keys[0].comment + "\n");
        // ssh-keygen -l prints "BITS SHA256:... COMMENT (TYPE)".
        const std::string expected = run("ssh-keygen -lf " + key + ".pub");
        EXPECT_NE(expected.find(" " + fingerprint_sha256(keys[0].blob_base64) + " "),
                  std::string::npos)
            << type << ": " << expected;
    }
}

TEST_F(SshKeysTest, AuthorizedKeysFileWithOptionsCommentsAndSeveralKeys) {
    const auto a = slurp(keygen("a", "ed25519") + ".pub");
    const auto b = slurp(keygen("b", "ecdsa") + ".pub");
    const auto path = write("authorized_keys",
                            "# team keys\n\ncommand=\"echo hi there\",restrict " + a + "   \n" + b);
    const auto keys = read_public_key_file(path);
    ASSERT_EQ(keys.size(), 2u);
    EXPECT_EQ(keys[0].type, "ssh-ed25519");
    EXPECT_EQ(keys[1].type, "ecdsa-sha2-nistp256");
    const auto line = parse_public_key_line(a);
    EXPECT_EQ(line.blob_base64, keys[0].blob_base64);
}

TEST_F(SshKeysTest, MalformedKeysAreRefusedWithTheLine) {
    const auto good = parse_public_key_line(slurp(keygen("g", "ed25519") + ".pub"));
    auto error = [&](const std::string& text) -> std::string {
        try {
            read_public_key_file(write("bad.pub", text));
        } catch (const KeyError& e) {
            return e.what();
        }
        return {};
    };
    EXPECT_NE(error("").find("holds no public key"), std::string::npos);
    EXPECT_NE(error("# only a comment\n").find("holds no public key"), std::string::npos);
    EXPECT_NE(error("ssh-ed25519 AAAA!!!!\n").find("line 1"), std::string::npos);
    EXPECT_NE(error("ssh-ed25519\n"), "");
    EXPECT_NE(error("hello world\n"), "");
    // The blob says ed25519 but the line claims rsa.
    EXPECT_NE(error("ssh-rsa " + good.blob_base64 + "\n").find("does not match"),
              std::string::npos);
    // A truncated blob is valid base64 but not a key.
    EXPECT_NE(error("\n\nssh-ed25519 " + good.blob_base64.substr(0, 40) + "\n").find("line 3"),
              std::string::npos);
    EXPECT_NE(error(std::string(20000, 'a')), "");
    try {
        read_public_key_file(dir_ + "/missing.pub");
        FAIL();
    } catch (const KeyError& e) {
        EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos);
    }
}

TEST_F(SshKeysTest, PrivateKeysMustBeUnencrypted) {
    const auto plain = keygen("plain", "ed25519");
    EXPECT_EQ(read_private_key_file(plain), slurp(plain));
    run("ssh-keygen -q -t rsa -b 2048 -m PEM -N '' -f " + dir_ + "/pem");
    EXPECT_NO_THROW(read_private_key_file(dir_ + "/pem"));
    const auto locked = keygen("locked", "ed25519", "secret");
    EXPECT_THROW(read_private_key_file(locked), KeyError);
    try {
        read_private_key_file(plain + ".pub");
        FAIL();
    } catch (const KeyError& e) {
        EXPECT_NE(std::string(e.what()).find("public key"), std::string::npos);
    }
    EXPECT_THROW(read_private_key_file(write("junk", "not a key\n")), KeyError);
    try {
        read_private_key_file(dir_ + "/none");
        FAIL();
    } catch (const KeyError& e) {
        EXPECT_NE(std::string(e.what()).find("unreadable credential"), std::string::npos);
    }
}

TEST_F(SshKeysTest, GeneratedHostKeyIsUsableByOpenSsh) {
    const std::string path = dir_ + "/host_key";
    const auto pub = generate_ed25519_host_key(path, "tandem-sshd");
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_EQ(::stat((path + ".pub").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0644u);
    EXPECT_EQ(pub.type, "ssh-ed25519");
    // OpenSSH derives the same public key from the private file.
    EXPECT_EQ(run("ssh-keygen -yf " + path), "ssh-ed25519 " + pub.blob_base64 + "\n");
    EXPECT_EQ(read_public_key_file(path + ".pub")[0].blob_base64, pub.blob_base64);
    EXPECT_NO_THROW(read_private_key_file(path));
    EXPECT_THROW(generate_ed25519_host_key(path, "again"), KeyError);  // never overwrites
}

std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

TEST_F(SshKeysTest, FetchesTheHostKeyOfARealSshd) {
    const auto host_key = keygen("ssh_host_ed25519_key", "ed25519");
    const std::uint16_t port = free_port();
    const std::string config =
        write("sshd_config", "ListenAddress 127.0.0.1\nPort " + std::to_string(port) +
                                 "\nHostKey " + host_key +
                                 "\nPidFile none\n"
                                 "UsePAM no\nStrictModes no\n");
    ::mkdir("/run/sshd", 0755);  // the privilege separation directory sshd insists on
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        // sshd re-executes itself, so argv[0] must be its absolute path.
        ::execl("/usr/sbin/sshd", "/usr/sbin/sshd", "-D", "-e", "-f", config.c_str(), nullptr);
        ::_exit(127);
    }
    // Poll until sshd answers (fetch_host_key fails fast while nothing listens).
    PublicKey key;
    bool fetched = false;
    for (int i = 0; i < 100 && !fetched; ++i) {
        try {
            key = fetch_host_key("127.0.0.1", port, std::chrono::seconds(5));
            fetched = true;
        } catch (const KeyError&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    ::kill(pid, SIGTERM);
    ::waitpid(pid, nullptr, 0);
    ASSERT_TRUE(fetched);
    const auto expected = read_public_key_file(host_key + ".pub")[0];
    EXPECT_EQ(key.type, expected.type);
    EXPECT_EQ(key.blob_base64, expected.blob_base64);

    // Nothing listens any more: a clear error, quickly.
    const auto start = std::chrono::steady_clock::now();
    try {
        fetch_host_key("127.0.0.1", port, std::chrono::seconds(2));
        FAIL();
    } catch (const KeyError& e) {
        EXPECT_NE(std::string(e.what()).find("cannot reach 127.0.0.1:" + std::to_string(port)),
                  std::string::npos);
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

}  // namespace
}  // namespace tandem
