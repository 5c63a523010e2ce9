// The one INI file every binary reads (docs/configuration.md), through Boost.Program_options.
// Precedence: --section.key=value on the command line, then the file, then defaults.
// Every key is documented in docs/configuration.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tandem {

using Seconds = std::chrono::seconds;
using Millis = std::chrono::milliseconds;

struct Config {
    std::string config_path;  // the file actually read ("" when none existed and defaults apply)

    // [store]
    std::string store_path = "/var/lib/tandem/tandem.db";
    // "sqlite:PATH" or "postgresql://..." (libpq's URL); "" = the SQLite file at store_path.
    std::string store_url;
    // What Store::open takes: store_url, or else store_path.
    const std::string& store_location() const { return store_url.empty() ? store_path : store_url; }

    // [ssh]
    std::string ssh_listen = "0.0.0.0:2222";
    std::string ssh_host_key = "/etc/tandem/ssh_host_ed25519_key";
    std::string
        ssh_public_address;  // "host:port" users type to reach the bastion; "" = from listen
    std::string ssh_shell;   // path of tandem-shell; "" = beside tandem-sshd
    int ssh_max_auth_tries = 6;
    Seconds ssh_login_grace_time{30};
    int ssh_max_connections = 256;
    // Unauthenticated connections, as OpenSSH's MaxStartups start:rate:full: from `start` on,
    // new ones are dropped with probability rate% rising linearly to 100% at `full`.
    struct MaxStartups {
        int start = 10;
        int rate = 30;
        int full = 100;
    } ssh_max_startups;
    int ssh_per_source_max_startups = 10;  // unauthenticated connections per client address

    // [openssh] (OpenSSH drop-in mode: tandem-keys and the forced command, docs/openssh-mode.md)
    std::string openssh_service_login = "tandem";         // Unix login people ssh to
    std::string openssh_join_login = "join";              // Unix login invitees ssh to
    std::string openssh_shell = "/usr/bin/tandem-shell";  // what the key's command= runs

    // [web] (docs/web.md)
    std::string web_listen = "0.0.0.0:8443";  // "" = no web face
    std::string web_public_url = "https://localhost:8443";
    std::string web_tls_cert = "/etc/tandem/tls.crt";
    std::string web_tls_key = "/etc/tandem/tls.key";
    bool web_plain_http = false;  // true: no TLS, for a TLS-terminating proxy in front
    std::string web_assets = "/usr/share/tandem/webview";
    Seconds web_login_ttl{12 * 3600};  // idle lifetime of a web login session
    int web_login_max_failures = 5;    // per user and per address, within web_login_lockout
    Seconds web_login_lockout{5 * 60};
    Seconds web_login_max_age{24 * 3600};  // absolute lifetime of a web login session
    // Proxies whose X-Forwarded-For is believed: addresses and CIDRs; "" = none.
    std::string web_trusted_proxies;
    int web_max_websockets_per_user = 8;
    int web_max_connections = 512;  // HTTP and WebSocket connections at once
    // Web O&M sessions (a creator in the browser, docs/web.md): how long one waits for its
    // page to come back (a reload) before it ends, and how many one user may have open.
    Seconds web_om_grace{10};
    int web_max_om_sessions_per_user = 4;

    // [invite]
    Seconds invite_ttl{30 * 60};
    Seconds invite_max_ttl{24 * 3600};
    int invite_max_participants = 16;  // per share, creator excluded; extra joiners get T_706
    std::string invite_signing_key = "/etc/tandem/invite-signing.pem";
    std::string invite_verify_key = "/etc/tandem/invite-verify.pem";

    // [session]
    int session_escape_key = 0x1d;  // ^]; -1 = disabled
    std::string session_recordings_dir = "/var/lib/tandem/recordings";
    Seconds session_access_recheck{2};  // a revoked creator's session ends within this (T_306)
    // false: a session whose recording fails mid-way goes on unrecorded (else T_602)
    bool session_recording_required = true;

    // [target]
    Seconds target_connect_timeout{10};
    Seconds target_keepalive_interval{5};
    int target_keepalive_count = 3;

    // [broker]
    std::string broker_socket = "/run/tandem/broker.sock";
    int broker_uid = -1;  // a further uid hooks accept as the broker; -1 = only root or their own
    // A viewer whose queued output has waited this long is repainted from a fresh snapshot
    // instead (docs/sharing.md): how far behind the host a slow viewer's screen may fall.
    Millis broker_viewer_max_lag{50};

    // [metrics]
    std::string metrics_listen;  // the broker's /healthz and /metrics (plain HTTP); "" = none

    // [admin]
    bool admin_announce_watch = true;  // tell a watched session's participants (audited anyway)

    // [cluster] (several nodes on one PostgreSQL store, docs/cluster.md)
    std::string cluster_node;          // this node's id; "" = the one node of its store
    Seconds cluster_heartbeat{5};      // how often the broker tells the store it is alive
    Seconds cluster_node_timeout{30};  // silent this long: a node is gone, its sessions ended
    std::string cluster_listen;        // host:port for the other nodes' links; "" = none
    std::string cluster_tls_cert = "/etc/tandem/cluster.crt";  // shared by every node
    std::string cluster_tls_key = "/etc/tandem/cluster.key";

    // [log]
    std::string log_file;  // "" = stderr for daemons, syslog for tandem-shell
    std::string log_level = "info";
};

// Arguments with the common options taken out: --config FILE and --section.key=value.
struct CommandLine {
    std::optional<std::string> config_path;
    std::vector<std::pair<std::string, std::string>> overrides;  // ("ssh.listen", "127.0.0.1:0")
    std::vector<std::string> rest;                               // everything else, in order
};

// Splits argv[1..]; never throws for unknown arguments (they go to rest).
CommandLine split_command_line(int argc, const char* const* argv);

// Reads the file named by --config, else by $TANDEM_CONFIG (either must exist), else
// /etc/tandem/tandem.conf when it exists (else only the defaults), and applies overrides. Throws
// TandemError(T_101, detail) on unreadable file, unknown key or bad value.
Config load_config(const CommandLine& cli);
Config load_config_file(const std::string& path);  // no overrides; for tests and tools

// Applies --section.key=value pairs to an existing config (used by `init` to write them into
// the new file). Throws TandemError(T_101) like load_config.
Config apply_overrides(Config base,
                       const std::vector<std::pair<std::string, std::string>>& overrides);
// Every key as "section.key", in file order (for docs and tests).
std::vector<std::string> config_keys();

// "30m", "10s", "24h", "250ms", "2d", or a bare number of seconds. nullopt when malformed.
std::optional<Millis> parse_duration(const std::string& text);
// "^]" -> 0x1d, "^A" -> 0x01, "none" -> -1. nullopt when malformed.
std::optional<int> parse_escape_key(const std::string& text);
// "0.0.0.0:2222" / "[::1]:22" -> (host, port). nullopt when malformed.
std::optional<std::pair<std::string, std::uint16_t>> parse_host_port(const std::string& text);

// Renders a config file with every key, commented with its meaning (used by `init`).
std::string render_config(const Config& config);

}  // namespace tandem
