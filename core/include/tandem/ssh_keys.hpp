// SSH keys as the bastion handles them: users' public keys (authorized_keys lines), managed
// hosts' pinned host keys, accounts' private keys, and tandem-sshd's own host key.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace tandem {

// A key or key file that cannot be used; what() is one line naming the problem.
class KeyError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct PublicKey {
    std::string type;         // "ssh-ed25519", as written in the line and inside the blob
    std::string blob_base64;  // the key blob exactly as in authorized_keys
    std::string comment;
};

// One authorized_keys / *.pub line (options before the type are skipped). The blob is checked
// with libssh and its embedded type must match. Throws KeyError.
PublicKey parse_public_key_line(const std::string& line);
// Every key of a .pub or authorized_keys file (blank and # lines skipped); at least one.
// Throws KeyError naming the file (and line) when unreadable, empty or malformed.
std::vector<PublicKey> read_public_key_file(const std::string& path);

// "SHA256:..." exactly as ssh-keygen -l prints it. Throws KeyError on bad base64.
std::string fingerprint_sha256(const std::string& blob_base64);

// The whole content of an unencrypted private key file (OpenSSH or PEM), checked with libssh.
// Throws KeyError when unreadable, too large, passphrase-protected or not a private key.
std::string read_private_key_file(const std::string& path);
// Same check on key text already in memory.
void validate_private_key(const std::string& key_text);

// Writes a new ed25519 key to path (0600, refuses to overwrite) and its public half to
// path + ".pub" (0644). Returns the public key.
PublicKey generate_ed25519_host_key(const std::string& path, const std::string& comment);

// Connects to an SSH server and returns the host key it presents, for pinning on first
// contact. Throws KeyError when it cannot be reached within timeout.
PublicKey fetch_host_key(const std::string& address, std::uint16_t port,
                         std::chrono::seconds timeout);

}  // namespace tandem
