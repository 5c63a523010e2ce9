#include "tandem/config.hpp"

#include <sys/stat.h>
#include <boost/program_options.hpp>
#include <cctype>
#include <cstdlib>
#include <functional>
#include <map>
#include <sstream>

#include "tandem/errors.hpp"
#include "tandem/files.hpp"

namespace po = boost::program_options;

namespace tandem {
namespace {

constexpr const char* kSystemConfigPath = "/etc/tandem/tandem.conf";
constexpr std::size_t kMaxConfigBytes = 1 << 20;  // a config file is a few KiB; bound the read

// One INI key: how to read it into a Config, how to write it back, and what it means.
// The same table drives loading, overrides and render_config(), so they cannot disagree.
struct KeySpec {
    const char* key;  // "section.key"
    const char* help;
    std::function<std::string(const Config&)> get;
    std::function<bool(Config&, const std::string&)> set;  // false when the value is malformed
};

bool set_text(std::string& field, const std::string& value, bool may_be_empty) {
    if (!may_be_empty && value.empty()) return false;
    if (value.size() > 4096) return false;
    for (unsigned char c : value)
        if (c < 0x20 || c == 0x7f) return false;
    field = value;
    return true;
}

bool set_int(int& field, const std::string& value, int min, int max) {
    if (value.empty() || value.size() > 9) return false;
    for (char c : value)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    const int v = std::stoi(value);
    if (v < min || v > max) return false;
    field = v;
    return true;
}

// Whole, positive seconds: the Seconds fields cannot hold "250ms".
bool set_seconds(Seconds& field, const std::string& value) {
    auto d = parse_duration(value);
    if (!d || d->count() <= 0 || d->count() % 1000 != 0) return false;
    field = std::chrono::duration_cast<Seconds>(*d);
    return true;
}

std::string render_seconds(Seconds s) {
    const auto n = s.count();
    if (n > 0 && n % 3600 == 0) return std::to_string(n / 3600) + "h";
    if (n > 0 && n % 60 == 0) return std::to_string(n / 60) + "m";
    return std::to_string(n) + "s";
}

std::string render_escape_key(int key) {
    if (key < 0) return "none";
    if (key == 0x7f) return "^?";
    return std::string("^") + static_cast<char>(key | 0x40);
}

// A Unix login name as sshd matches it: ^[a-z_][a-z0-9_.-]{0,31}$.
bool set_login(std::string& field, const std::string& value) {
    if (value.empty() || value.size() > 32) return false;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        const bool ok = (c >= 'a' && c <= 'z') || c == '_' ||
                        (i > 0 && ((c >= '0' && c <= '9') || c == '.' || c == '-'));
        if (!ok) return false;
    }
    field = value;
    return true;
}

// The forced command's program goes inside command="...": absolute, no quote or space.
bool set_command_path(std::string& field, const std::string& value) {
    if (value.empty() || value[0] != '/' || value.size() > 1024) return false;
    for (unsigned char c : value)
        if (c <= 0x20 || c == 0x7f || c == '"' || c == '\\') return false;
    field = value;
    return true;
}

bool set_listen(std::string& field, const std::string& value) {
    if (!parse_host_port(value)) return false;
    field = value;
    return true;
}

// "start:rate:full" (OpenSSH's MaxStartups), or one number: refuse from there on.
bool set_max_startups(Config::MaxStartups& field, const std::string& value) {
    int start = 0;
    int rate = 100;
    int full = 0;
    const auto first = value.find(':');
    if (first == std::string::npos) {
        if (!set_int(start, value, 1, 65535)) return false;
        full = start;
    } else {
        const auto second = value.find(':', first + 1);
        if (second == std::string::npos || !set_int(start, value.substr(0, first), 1, 65535) ||
            !set_int(rate, value.substr(first + 1, second - first - 1), 1, 100) ||
            !set_int(full, value.substr(second + 1), 1, 65535) || full < start)
            return false;
    }
    field = {start, rate, full};
    return true;
}

std::string render_max_startups(const Config::MaxStartups& m) {
    if (m.start == m.full) return std::to_string(m.full);
    return std::to_string(m.start) + ":" + std::to_string(m.rate) + ":" + std::to_string(m.full);
}

#define TEXT(field, empty)                   \
    [](const Config& c) { return c.field; }, \
        [](Config& c, const std::string& v) { return set_text(c.field, v, empty); }
#define SECONDS(field)                                       \
    [](const Config& c) { return render_seconds(c.field); }, \
        [](Config& c, const std::string& v) { return set_seconds(c.field, v); }
#define INT(field, lo, hi)                                   \
    [](const Config& c) { return std::to_string(c.field); }, \
        [](Config& c, const std::string& v) { return set_int(c.field, v, lo, hi); }
#define LISTEN(field)                        \
    [](const Config& c) { return c.field; }, \
        [](Config& c, const std::string& v) { return set_listen(c.field, v); }

const std::vector<KeySpec>& key_specs() {
    static const std::vector<KeySpec> specs = {
        {"store.path", "SQLite store shared by every tandem process", TEXT(store_path, false)},
        {"ssh.listen", "address:port tandem-sshd listens on", LISTEN(ssh_listen)},
        {"ssh.host_key", "tandem-sshd's private host key (OpenSSH format, 0600)",
         TEXT(ssh_host_key, false)},
        {"ssh.public_address",
         "host:port users type to reach the bastion (shown in join lines); empty = from listen",
         TEXT(ssh_public_address, true)},
        {"ssh.shell", "path of tandem-shell; empty = beside tandem-sshd", TEXT(ssh_shell, true)},
        {"ssh.max_auth_tries", "authentication attempts allowed per connection",
         INT(ssh_max_auth_tries, 1, 100)},
        {"ssh.login_grace_time", "time allowed to authenticate before disconnecting",
         SECONDS(ssh_login_grace_time)},
        {"ssh.max_connections", "concurrent SSH connections tandem-sshd accepts",
         INT(ssh_max_connections, 1, 65535)},
        {"ssh.max_startups",
         "unauthenticated connections: start:rate:full drops rate% from start, all at full",
         [](const Config& c) { return render_max_startups(c.ssh_max_startups); },
         [](Config& c, const std::string& v) { return set_max_startups(c.ssh_max_startups, v); }},
        {"ssh.per_source_max_startups", "unauthenticated connections from one client address",
         INT(ssh_per_source_max_startups, 1, 65535)},
        {"openssh.service_login", "Unix login people ssh to in OpenSSH drop-in mode",
         [](const Config& c) { return c.openssh_service_login; },
         [](Config& c, const std::string& v) { return set_login(c.openssh_service_login, v); }},
        {"openssh.join_login", "Unix login invitees ssh to in OpenSSH drop-in mode",
         [](const Config& c) { return c.openssh_join_login; },
         [](Config& c, const std::string& v) { return set_login(c.openssh_join_login, v); }},
        {"openssh.shell", "absolute path of tandem-shell that tandem-keys' forced command runs",
         [](const Config& c) { return c.openssh_shell; },
         [](Config& c, const std::string& v) { return set_command_path(c.openssh_shell, v); }},
        {"web.listen", "address:port of tandem-broker's HTTPS/WebSocket server; empty = none",
         [](const Config& c) { return c.web_listen; },
         [](Config& c, const std::string& v) {
             if (v.empty()) {
                 c.web_listen.clear();
                 return true;
             }
             return set_listen(c.web_listen, v);
         }},
        {"web.public_url", "base of invite URLs, as users' browsers reach the broker",
         [](const Config& c) { return c.web_public_url; },
         [](Config& c, const std::string& v) {
             if (v.rfind("https://", 0) != 0 && v.rfind("http://", 0) != 0) return false;
             return set_text(c.web_public_url, v, false);
         }},
        {"web.tls_cert", "TLS certificate chain (PEM) served by the broker",
         TEXT(web_tls_cert, false)},
        {"web.tls_key", "TLS private key (PEM, 0600)", TEXT(web_tls_key, false)},
        {"web.plain_http",
         "true: plain HTTP without TLS, only behind a TLS-terminating proxy; cookies stay Secure",
         [](const Config& c) { return std::string(c.web_plain_http ? "true" : "false"); },
         [](Config& c, const std::string& v) {
             if (v != "true" && v != "false") return false;
             c.web_plain_http = v == "true";
             return true;
         }},
        {"web.assets", "directory of the web viewer's built pages and scripts",
         TEXT(web_assets, false)},
        {"web.login_ttl", "a web login ends after this long without a request",
         SECONDS(web_login_ttl)},
        {"web.login_max_failures",
         "failed web logins per user name and per address before T_204 refuses them",
         INT(web_login_max_failures, 1, 1000)},
        {"web.login_lockout", "window in which failures count, and how long a lockout lasts",
         SECONDS(web_login_lockout)},
        {"web.login_max_age", "a web login ends this long after it was made, however busy",
         SECONDS(web_login_max_age)},
        {"web.trusted_proxies",
         "addresses or CIDRs of proxies whose X-Forwarded-For is believed; empty = none",
         TEXT(web_trusted_proxies, true)},
        {"web.max_websockets_per_user", "WebSocket viewers one user may have open at once",
         INT(web_max_websockets_per_user, 1, 1000)},
        {"web.max_connections", "HTTP and WebSocket connections the web face serves at once",
         INT(web_max_connections, 1, 65535)},
        {"invite.ttl", "default lifetime of an invite URL", SECONDS(invite_ttl)},
        {"invite.max_ttl", "longest lifetime a share may ask for", SECONDS(invite_max_ttl)},
        {"invite.max_participants", "invitees one share admits at once (the creator aside)",
         INT(invite_max_participants, 1, 1000)},
        {"invite.signing_key", "EC P-256 private key (PEM, 0600) that signs invites (ES256)",
         TEXT(invite_signing_key, false)},
        {"invite.verify_key", "matching public key (PEM) that verifies invites",
         TEXT(invite_verify_key, false)},
        {"session.escape_key",
         "key that opens the in-session command line: ^X notation, or none; pressed twice it "
         "sends itself",
         [](const Config& c) { return render_escape_key(c.session_escape_key); },
         [](Config& c, const std::string& v) {
             auto k = parse_escape_key(v);
             if (!k) return false;
             c.session_escape_key = *k;
             return true;
         }},
        {"session.recordings_dir", "directory of asciicast v2 session recordings (0700)",
         TEXT(session_recordings_dir, false)},
        {"session.access_recheck",
         "how often an open session re-checks its user's grant; revoked sessions end with T_306",
         SECONDS(session_access_recheck)},
        {"target.connect_timeout", "time allowed to connect to a managed host",
         SECONDS(target_connect_timeout)},
        {"target.keepalive_interval",
         "keepalive period towards managed hosts; T_514 after interval x count unanswered",
         SECONDS(target_keepalive_interval)},
        {"target.keepalive_count", "unanswered keepalives before the session is closed (T_514)",
         INT(target_keepalive_count, 1, 1000)},
        {"broker.socket", "Unix socket where session hooks reach tandem-broker",
         TEXT(broker_socket, false)},
        {"broker.uid",
         "uid hooks also accept as the broker's (besides root and their own); empty = none",
         [](const Config& c) {
             return c.broker_uid < 0 ? std::string() : std::to_string(c.broker_uid);
         },
         [](Config& c, const std::string& v) {
             if (v.empty()) {
                 c.broker_uid = -1;
                 return true;
             }
             return set_int(c.broker_uid, v, 0, 2147483646);
         }},
        {"log.file", "log file (appended); empty = stderr for daemons, syslog for tandem-shell",
         TEXT(log_file, true)},
        {"log.level", "debug, info, warn or error", [](const Config& c) { return c.log_level; },
         [](Config& c, const std::string& v) {
             if (v != "debug" && v != "info" && v != "warn" && v != "error") return false;
             c.log_level = v;
             return true;
         }},
    };
    return specs;
}

#undef TEXT
#undef SECONDS
#undef INT
#undef LISTEN

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
            throw TandemError(ErrorCode::T_101, "bad value '" + it->second + "' for " + spec.key +
                                                    " (" + source + ")");
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
        throw TandemError(ErrorCode::T_101, e.what());
    }
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
                ErrorCode::T_101,
                "unknown key '" + strip_dashes(e.get_option_name()) + "' in " + *path);
        } catch (const po::error& e) {
            throw TandemError(ErrorCode::T_101, std::string(e.what()) + " in " + *path);
        }
        for (const auto& [key, value] : vm) values[key] = value.as<std::string>();
        config.config_path = *path;
    }
    apply_values(config, values, path ? *path : std::string());
    values.clear();
    for (const auto& [key, value] : overrides) {
        if (!known_key(key))
            throw TandemError(ErrorCode::T_101, "unknown key '" + key + "' (command line)");
        values[key] = value;
    }
    apply_values(config, values, "command line");
    if (config.invite_ttl > config.invite_max_ttl)
        throw TandemError(ErrorCode::T_101, "invite.ttl is longer than invite.max_ttl");
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
