// The algorithms tandem-sshd offers: only modern, widely supported ones (no SHA-1, no CBC,
// no DH groups, no DSA). Strings in libssh's comma-separated form, preferred first.
#pragma once

namespace tandem::sshd::algorithms {

inline constexpr const char* key_exchange =
    "curve25519-sha256,curve25519-sha256@libssh.org,"
    "ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521";

inline constexpr const char* ciphers =
    "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,"
    "aes256-ctr,aes128-ctr";

inline constexpr const char* macs =
    "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha2-256,hmac-sha2-512";

// Signature algorithms for the server's own host key.
inline constexpr const char* host_keys =
    "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
    "rsa-sha2-512,rsa-sha2-256";

// Signature algorithms accepted for users' keys (RSA only with SHA-2 signatures).
inline constexpr const char* user_keys =
    "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
    "sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,"
    "rsa-sha2-512,rsa-sha2-256";

// Smallest RSA key (host or user) accepted, in bits.
inline constexpr int rsa_min_bits = 2048;

}  // namespace tandem::sshd::algorithms
