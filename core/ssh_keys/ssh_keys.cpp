#include "tandem/ssh_keys.hpp"

#include <libssh/libssh.h>
#include <openssl/evp.h>

#include <cctype>
#include <memory>
#include <sstream>

#include "tandem/base64.hpp"
#include "tandem/files.hpp"

namespace tandem {
namespace {

constexpr std::size_t kMaxLine = 16 * 1024;        // an RSA-16384 key line is ~2.8 KiB
constexpr std::size_t kMaxKeyFile = 1024 * 1024;   // authorized_keys with many keys
constexpr std::size_t kMaxPrivateKey = 64 * 1024;  // OpenSSH RSA-16384 private key is ~12 KiB

struct KeyDeleter {
    void operator()(ssh_key k) const { ssh_key_free(k); }
};
using KeyPtr = std::unique_ptr<std::remove_pointer_t<ssh_key>, KeyDeleter>;

struct SessionDeleter {
    void operator()(ssh_session s) const {
        ssh_disconnect(s);
        ssh_free(s);
    }
};
using SessionPtr = std::unique_ptr<std::remove_pointer_t<ssh_session>, SessionDeleter>;

bool looks_like_key_type(const std::string& word) {
    return word.rfind("ssh-", 0) == 0 || word.rfind("ecdsa-sha2-", 0) == 0 ||
           word.rfind("sk-", 0) == 0;
}

// The key type named inside the blob (its first SSH string).
std::string blob_type(const std::string& blob) {
    if (blob.size() < 4) return {};
    const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
    const std::size_t len = std::size_t{p[0]} << 24 | std::size_t{p[1]} << 16 |
                            std::size_t{p[2]} << 8 | std::size_t{p[3]};
    if (len == 0 || len > 64 || len > blob.size() - 4) return {};
    return blob.substr(4, len);
}

// Skips an authorized_keys options field (quotes may hide spaces), returning the rest.
std::string skip_options(const std::string& line) {
    bool quoted = false;
    std::size_t i = 0;
    for (; i < line.size(); ++i) {
        if (line[i] == '"') quoted = !quoted;
        if (!quoted && std::isspace(static_cast<unsigned char>(line[i]))) break;
    }
    return line.substr(i);
}

std::string strip(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

// Refuses to prompt: an encrypted key is reported, never unlocked interactively.
int no_passphrase(const char*, char*, size_t, int, int, void*) {
    return -1;
}

PublicKey public_key_of(ssh_key key, const std::string& comment) {
    char* b64 = nullptr;
    if (ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK || !b64)
        throw KeyError("cannot export the public key");
    PublicKey pub;
    pub.blob_base64 = b64;
    ssh_string_free_char(b64);
    const auto blob = b64::decode(pub.blob_base64);
    pub.type = blob ? blob_type(*blob) : std::string();
    if (pub.type.empty()) throw KeyError("cannot export the public key");
    pub.comment = comment;
    return pub;
}

}  // namespace

// A common mistake: the .pub file given where the private key belongs.
static bool is_public_key_text(const std::string& text) {
    try {
        parse_public_key_line(text.substr(0, text.find('\n')));
        return true;
    } catch (const KeyError&) {
        return false;
    }
}

PublicKey parse_public_key_line(const std::string& raw) {
    if (raw.size() > kMaxLine) throw KeyError("key line is too long");
    std::string line = strip(raw);
    if (line.empty()) throw KeyError("no key on the line");
    std::istringstream words(line);
    std::string first;
    words >> first;
    if (!looks_like_key_type(first)) line = strip(skip_options(line));

    std::istringstream in(line);
    PublicKey key;
    in >> key.type >> key.blob_base64;
    std::getline(in, key.comment);
    key.comment = strip(key.comment);
    if (!looks_like_key_type(key.type)) throw KeyError("not an SSH public key");
    if (key.blob_base64.empty()) throw KeyError("the key data is missing");
    const auto blob = b64::decode(key.blob_base64);
    if (!blob) throw KeyError("the key data is not base64");
    if (blob_type(*blob) != key.type)
        throw KeyError("the key data does not match its type '" + key.type + "'");
    const auto type = ssh_key_type_from_name(key.type.c_str());
    ssh_key parsed = nullptr;
    if (type == SSH_KEYTYPE_UNKNOWN ||
        ssh_pki_import_pubkey_base64(key.blob_base64.c_str(), type, &parsed) != SSH_OK)
        throw KeyError("unsupported or invalid " + key.type + " key");
    ssh_key_free(parsed);
    for (char& c : key.comment)
        if (std::iscntrl(static_cast<unsigned char>(c))) c = ' ';
    return key;
}

std::vector<PublicKey> read_public_key_file(const std::string& path) {
    std::string text;
    try {
        text = read_file(path, kMaxKeyFile);
    } catch (const std::runtime_error& e) {
        throw KeyError(e.what());
    }
    std::vector<PublicKey> keys;
    std::istringstream in(text);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        const auto s = strip(line);
        if (s.empty() || s[0] == '#') continue;
        try {
            keys.push_back(parse_public_key_line(s));
        } catch (const KeyError& e) {
            throw KeyError("malformed key file " + path + " (line " + std::to_string(number) +
                           "): " + e.what());
        }
    }
    if (keys.empty()) throw KeyError("malformed key file " + path + ": it holds no public key");
    return keys;
}

std::string fingerprint_sha256(const std::string& blob_base64) {
    const auto blob = b64::decode(blob_base64);
    if (!blob) throw KeyError("the key data is not base64");
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(blob->data(), blob->size(), digest, &len, EVP_sha256(), nullptr) != 1)
        throw KeyError("cannot hash the key");
    return "SHA256:" +
           b64::encode(std::string_view(reinterpret_cast<const char*>(digest), len), false);
}

void validate_private_key(const std::string& key_text) {
    if (key_text.size() > kMaxPrivateKey) throw KeyError("the private key is too large");
    ssh_key key = nullptr;
    if (ssh_pki_import_privkey_base64(key_text.c_str(), nullptr, no_passphrase, nullptr, &key) !=
        SSH_OK) {
        if (is_public_key_text(key_text))
            throw KeyError("it is a public key; give the private key file");
        throw KeyError(
            "not an unencrypted SSH private key (passphrase-protected keys cannot "
            "be used)");
    }
    KeyPtr owned(key);
    if (!ssh_key_is_private(key)) throw KeyError("not a private key");
}

std::string read_private_key_file(const std::string& path) {
    std::string text;
    try {
        text = read_file(path, kMaxPrivateKey);
    } catch (const std::runtime_error& e) {
        throw KeyError(std::string("unreadable credential: ") + e.what());
    }
    try {
        validate_private_key(text);
    } catch (const KeyError& e) {
        throw KeyError("unusable credential " + path + ": " + e.what());
    }
    return text;
}

PublicKey generate_ed25519_host_key(const std::string& path, const std::string& comment) {
    ssh_key key = nullptr;
    if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK)
        throw KeyError("cannot generate an ed25519 key");
    KeyPtr owned(key);
    char* b64 = nullptr;
    if (ssh_pki_export_privkey_base64(key, nullptr, nullptr, nullptr, &b64) != SSH_OK || !b64)
        throw KeyError("cannot export the generated key");
    std::string private_text = b64;
    ssh_string_free_char(b64);
    if (private_text.back() != '\n') private_text += '\n';
    const PublicKey pub = public_key_of(key, comment);
    try {
        write_new_file(path, private_text, 0600);
        write_new_file(
            path + ".pub",
            pub.type + " " + pub.blob_base64 + (comment.empty() ? "" : " " + comment) + "\n", 0644);
    } catch (const std::runtime_error& e) {
        throw KeyError(e.what());
    }
    return pub;
}

PublicKey fetch_host_key(const std::string& address, std::uint16_t port,
                         std::chrono::seconds timeout) {
    SessionPtr session(ssh_new());
    if (!session) throw KeyError("out of memory");
    ssh_session s = session.get();
    const unsigned int port_value = port;
    const long timeout_value = timeout.count() > 0 ? timeout.count() : 10;
    const int no = 0;
    // Nothing from the invoking user's ~/.ssh may influence what gets pinned.
    ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no);
    ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
    ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
    ssh_options_set(s, SSH_OPTIONS_USER, "tandem");
    if (ssh_options_set(s, SSH_OPTIONS_HOST, address.c_str()) != SSH_OK)
        throw KeyError("bad address '" + address + "'");
    ssh_options_set(s, SSH_OPTIONS_PORT, &port_value);
    ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout_value);
    const std::string where = address + ":" + std::to_string(port);
    if (ssh_connect(s) != SSH_OK) throw KeyError("cannot reach " + where + ": " + ssh_get_error(s));
    ssh_key key = nullptr;
    if (ssh_get_server_publickey(s, &key) != SSH_OK || !key)
        throw KeyError(where + " presented no host key");
    KeyPtr owned(key);
    return public_key_of(key, {});
}

}  // namespace tandem
