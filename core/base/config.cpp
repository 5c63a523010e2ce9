#include "tandem/config.hpp"

#include <sys/stat.h>
#include <boost/program_options.hpp>
#include <cctype>
#include <cstdlib>
#include <functional>
#include <map>
#include <sstream>

#include "config_keys.hpp"
#include "tandem/errors.hpp"
#include "tandem/files.hpp"

namespace po = boost::program_options;

namespace tandem {
namespace {

constexpr const char* kSystemConfigPath = "/etc/tandem/tandem.conf";
constexpr std::size_t kMaxConfigBytes = 1 << 20;  // a config file is a few KiB; bound the read

po::options_description make_options() {
    po::options_description desc;
    for (const auto& spec : key_specs()) desc.add_options()(spec.key, po::value<std::string>());
    return desc;
}

using Values = std::map<std::string, std::string>;

// Applies values to config, naming the key (and its source) when one is bad.
void apply_values(Config& config, const Values& values, const std::string& source) {
    for (const auto& spec : key_specs()) {
        auto it = values.find(spec.key);
        if (it == values.end()) continue;
        if (!spec.set(config, it->second))
            throw TandemError(ErrorCode::T_101_bad_config, "bad value '" + it->second + "' for " +
                                                               spec.key + " (" + source + ")");
    }
}

bool known_key(const std::string& key) {
    for (const auto& spec : key_specs())
        if (key == spec.key) return true;
    return false;
}

// "--ssh.bogus=1" -> "ssh.bogus": program_options reports the option as it was written.
std::string strip_dashes(const std::string& name) {
    const auto start = name.find_first_not_of('-');
    const std::string bare = start == std::string::npos ? name : name.substr(start);
    return bare.substr(0, bare.find('='));
}

std::string read_config_text(const std::string& path) {
    try {
        return read_file(path, kMaxConfigBytes);
    } catch (const std::runtime_error& e) {
        throw TandemError(ErrorCode::T_101_bad_config, e.what());
    }
}

// At most 80 bytes of a config's text for a message, control bytes and non-ASCII as '?'.
std::string printable_excerpt(const std::string& text) {
    std::string out = text.substr(0, 80);
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
    return text.size() > out.size() ? out + "..." : out;
}

// The file is parsed with program_options (INI sections, comments, duplicate keys refused);
// command-line overrides are laid over it, the last one for a key winning.
Config load(const std::optional<std::string>& path,
            const std::vector<std::pair<std::string, std::string>>& overrides, Config config) {
    Values values;
    if (path) {
        const auto text = read_config_text(*path);
        std::istringstream in(text);
        po::variables_map vm;
        try {
            po::store(po::parse_config_file(in, make_options(), false), vm);
        } catch (const po::unknown_option& e) {
            throw TandemError(
                ErrorCode::T_101_bad_config,
                "unknown key '" + strip_dashes(e.get_option_name()) + "' in " + *path);
        } catch (const po::invalid_config_file_syntax& e) {
            // Never e.what() for errors that carry the file's text: Boost fills "%name%"
            // placeholders in a loop that never ends when the text itself holds one (a line
            // "%invalid_line%" hung every binary; a config_fuzz finding).
            throw TandemError(ErrorCode::T_101_bad_config,
                              "a line that is not 'key = value' or '[section]' (" +
                                  printable_excerpt(e.tokens()) + ") in " + *path);
        } catch (const po::multiple_occurrences& e) {
            throw TandemError(ErrorCode::T_101_bad_config,
                              "key '" + printable_excerpt(strip_dashes(e.get_option_name())) +
                                  "' given more than once in " + *path);
        } catch (const po::error_with_option_name& e) {
            throw TandemError(ErrorCode::T_101_bad_config,
                              "bad entry for '" +
                                  printable_excerpt(strip_dashes(e.get_option_name())) + "' in " +
                                  *path);
        } catch (const po::error& e) {
            throw TandemError(ErrorCode::T_101_bad_config, std::string(e.what()) + " in " + *path);
        }
        for (const auto& [key, value] : vm) values[key] = value.as<std::string>();
        config.config_path = *path;
    }
    apply_values(config, values, path ? *path : std::string());
    values.clear();
    for (const auto& [key, value] : overrides) {
        if (!known_key(key))
            throw TandemError(ErrorCode::T_101_bad_config,
                              "unknown key '" + key + "' (command line)");
        values[key] = value;
    }
    apply_values(config, values, "command line");
    if (config.invite_ttl > config.invite_max_ttl)
        throw TandemError(ErrorCode::T_101_bad_config, "invite.ttl is longer than invite.max_ttl");
    // A node must get at least two heartbeats in before the others take it for gone.
    if (config.cluster_heartbeat < Seconds(1) ||
        config.cluster_node_timeout < 2 * config.cluster_heartbeat)
        throw TandemError(ErrorCode::T_101_bad_config,
                          "cluster.node_timeout must be at least twice cluster.heartbeat (>= 1s)");
    if (!config.cluster_listen.empty() && config.cluster_node.empty())
        throw TandemError(ErrorCode::T_101_bad_config,
                          "cluster.listen needs cluster.node: a node without an id is alone");
    return config;
}

bool file_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

CommandLine split_command_line(int argc, const char* const* argv) {
    CommandLine cli;
    bool options_done = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i] ? argv[i] : "";
        if (options_done || arg.rfind("--", 0) != 0 || arg == "--") {
            if (arg == "--" && !options_done) options_done = true;
            cli.rest.push_back(arg);
            continue;
        }
        const auto eq = arg.find('=');
        const std::string name =
            arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
        const bool has_value = eq != std::string::npos;
        if (name == "config") {
            if (has_value) {
                cli.config_path = arg.substr(eq + 1);
            } else if (i + 1 < argc) {
                cli.config_path = argv[++i];
            } else {
                cli.rest.push_back(arg);  // lets the caller report the missing value
            }
        } else if (name.find('.') != std::string::npos) {
            if (has_value) {
                cli.overrides.emplace_back(name, arg.substr(eq + 1));
            } else if (i + 1 < argc) {
                cli.overrides.emplace_back(name, argv[++i]);
            } else {
                cli.overrides.emplace_back(name, "");
            }
        } else {
            cli.rest.push_back(arg);
        }
    }
    return cli;
}

Config load_config(const CommandLine& cli) {
    std::optional<std::string> path = cli.config_path;
    if (!path) {
        const char* env = std::getenv("TANDEM_CONFIG");
        if (env && *env)
            path = std::string(env);
        else if (file_exists(kSystemConfigPath))
            path = std::string(kSystemConfigPath);
    }
    return load(path, cli.overrides, Config{});
}

Config load_config_file(const std::string& path) {
    return load(path, {}, Config{});
}

Config apply_overrides(Config base,
                       const std::vector<std::pair<std::string, std::string>>& overrides) {
    auto config_path = base.config_path;
    Config out = load(std::nullopt, overrides, std::move(base));
    out.config_path = config_path;
    return out;
}

std::optional<Millis> parse_duration(const std::string& text) {
    std::size_t i = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == 0 || i > 9) return std::nullopt;  // no digits, or absurdly long
    const long long n = std::stoll(text.substr(0, i));
    const std::string unit = text.substr(i);
    long long ms_per_unit;
    if (unit.empty() || unit == "s")
        ms_per_unit = 1000;
    else if (unit == "ms")
        ms_per_unit = 1;
    else if (unit == "m")
        ms_per_unit = 60'000;
    else if (unit == "h")
        ms_per_unit = 3'600'000;
    else if (unit == "d")
        ms_per_unit = 86'400'000;
    else
        return std::nullopt;
    return Millis(n * ms_per_unit);
}

std::optional<int> parse_escape_key(const std::string& text) {
    if (text == "none") return -1;
    if (text.size() != 2 || text[0] != '^') return std::nullopt;
    const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(text[1])));
    if (c == '?') return 0x7f;
    // ^[ is ESC, which starts every arrow and function key sequence: it cannot be an escape key.
    if (c < '@' || c > '_' || c == '[') return std::nullopt;
    return c & 0x1f;
}

std::optional<std::pair<std::string, std::uint16_t>> parse_host_port(const std::string& text) {
    std::string host;
    std::string port;
    if (!text.empty() && text[0] == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return std::nullopt;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string::npos) return std::nullopt;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string::npos) return std::nullopt;  // bare IPv6 needs []
    }
    if (host.empty() || host.size() > 253 || port.empty() || port.size() > 5) return std::nullopt;
    for (unsigned char c : host)
        if (!(std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '_' || c == '%'))
            return std::nullopt;
    for (char c : port)
        if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    const int p = std::stoi(port);
    if (p > 65535) return std::nullopt;
    return std::make_pair(host, static_cast<std::uint16_t>(p));
}

std::string render_config(const Config& config) {
    std::string out =
        "# tandem configuration (docs/configuration.md describes every key).\n"
        "# Any key can be overridden on the command line as --section.key=value.\n"
        "# Durations: 30s, 10m, 24h, 2d, 250ms or a bare number of seconds.\n";
    std::string section;
    for (const auto& spec : key_specs()) {
        const std::string key = spec.key;
        const auto dot = key.find('.');
        if (key.substr(0, dot) != section) {
            section = key.substr(0, dot);
            out += "\n[" + section + "]\n";
        }
        out += "# " + std::string(spec.help) + "\n";
        const std::string value = spec.get(config);
        out += key.substr(dot + 1) + (value.empty() ? " =" : " = " + value) + "\n";
    }
    return out;
}

std::vector<std::string> config_keys() {
    std::vector<std::string> keys;
    for (const auto& spec : key_specs()) keys.emplace_back(spec.key);
    return keys;
}

}  // namespace tandem
