// tandem-keys' input: the %u %t %k arguments sshd passes for every key a client offers, and the
// authorized_keys / .pub lines tandem-admin reads. Anything but a KeyError (or a refused
// request) is a finding; a line that parses must fingerprint, and its type and blob must pass
// tandem-keys' own argument check as sshd would pass them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "authorized_keys_command.hpp"
#include "tandem/ssh_keys.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);

    // Arguments: NUL-separated, as many as the input holds.
    std::vector<std::string> args;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == '\0') {
            args.push_back(text.substr(start, i - start));
            start = i + 1;
        }
    }
    std::string error;
    if (auto request = tandem::parse_keys_request(args, error)) {
        (void)tandem::is_safe_person_name(request->unix_user);
    }
    (void)tandem::is_shell_safe_path(text);

    try {
        const auto key = tandem::parse_public_key_line(text);
        if (tandem::fingerprint_sha256(key.blob_base64).rfind("SHA256:", 0) != 0) std::abort();
        std::string why;
        if (!tandem::parse_keys_request({"someone", key.type, key.blob_base64}, why)) std::abort();
    } catch (const tandem::KeyError&) {
    }
    return 0;
}
