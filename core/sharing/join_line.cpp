#include "tandem/join_line.hpp"

#include "tandem/config.hpp"

namespace tandem {

std::string ssh_join_line(const std::string& address, const std::string& token) {
    auto hp = parse_host_port(address);
    if (!hp) return "ssh join@" + address + " " + token;
    std::string host = hp->first;
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    std::string line = "ssh ";
    if (hp->second != 22) line += "-p " + std::to_string(hp->second) + " ";
    return line + "join@" + host + " " + token;
}

}  // namespace tandem
