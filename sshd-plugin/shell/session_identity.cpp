#include "session_identity.hpp"

#include <sys/random.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <ctime>
#include <sstream>
#include <stdexcept>

namespace tandem {
namespace {

std::string file_safe(const std::string& text) {
    std::string out = text;
    for (char& c : out) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '@';
        if (!ok) c = '_';
    }
    if (out.empty() || out[0] == '.') out.insert(out.begin(), '_');
    return out;
}

}  // namespace

std::string new_session_uuid() {
    std::array<unsigned char, 16> bytes{};
    std::size_t filled = 0;
    while (filled < bytes.size()) {
        const ssize_t n = ::getrandom(bytes.data() + filled, bytes.size() - filled, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error("getrandom failed");
        }
        filled += static_cast<std::size_t>(n);
    }
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
        out.push_back(hex[bytes[i] >> 4]);
        out.push_back(hex[bytes[i] & 0x0f]);
    }
    return out;
}

std::string recording_file_name(std::int64_t started_at, const std::string& user,
                                const std::string& account, const std::string& uuid) {
    const std::time_t t = static_cast<std::time_t>(started_at);
    std::tm utc{};
    ::gmtime_r(&t, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &utc);
    return std::string(stamp) + "-" + file_safe(user) + "-" + file_safe(account) + "-" +
           file_safe(uuid) + ".cast";
}

std::string client_from_ssh_connection(const char* ssh_connection) {
    if (ssh_connection == nullptr) return "local";
    std::istringstream in(ssh_connection);
    std::string ip, port;
    if (!(in >> ip >> port) || ip.size() > 64 || port.size() > 5) return "local";
    for (char c : ip)
        if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':')) return "local";
    for (char c : port)
        if (!std::isdigit(static_cast<unsigned char>(c))) return "local";
    if (ip.find(':') != std::string::npos) return "ssh [" + ip + "]:" + port;
    return "ssh " + ip + ":" + port;
}

}  // namespace tandem
