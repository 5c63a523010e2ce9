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
