#include "config_keys.hpp"

#include <cctype>
#include <cstdlib>

namespace tandem {
namespace {

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

// Milliseconds within [lo, hi].
bool set_millis(Millis& field, const std::string& value, Millis lo, Millis hi) {
    auto d = parse_duration(value);
    if (!d || *d < lo || *d > hi) return false;
    field = *d;
    return true;
}

std::string render_millis(Millis m) {
    const auto n = m.count();
    if (n > 0 && n % 1000 == 0) return std::to_string(n / 1000) + "s";
    return std::to_string(n) + "ms";
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

// "" (the SQLite file at store.path), "sqlite:PATH" or a PostgreSQL URL.
bool set_store_url(std::string& field, const std::string& value) {
    const bool ok = value.empty() || (value.rfind("sqlite:", 0) == 0 && value.size() > 7) ||
                    value.rfind("postgresql://", 0) == 0 || value.rfind("postgres://", 0) == 0;
    if (!ok || value.size() > 4096) return false;
    field = value;
    return true;
}

// A node id shows in logs, the live listing and the store: short, plain, no spaces.
bool set_node_id(std::string& field, const std::string& value) {
    if (value.size() > 64) return false;
    for (unsigned char c : value)
        if (!(std::isalnum(c) || c == '.' || c == '_' || c == '-')) return false;
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

}  // namespace

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
        {"store.url",
         "the store: sqlite:PATH or postgresql://USER@HOST/DB (several nodes); empty = store.path",
         [](const Config& c) { return c.store_url; },
         [](Config& c, const std::string& v) { return set_store_url(c.store_url, v); }},
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
        {"web.om_grace", "how long a web O&M session waits for its page after it closed",
         SECONDS(web_om_grace)},
        {"web.max_om_sessions_per_user", "web O&M sessions one user may have open at once",
         INT(web_max_om_sessions_per_user, 1, 100)},
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
        {"session.recording_required",
         "true: no recording, no session (T_601 at start, T_602 when it fails mid-session)",
         [](const Config& c) {
             return std::string(c.session_recording_required ? "true" : "false");
         },
         [](Config& c, const std::string& v) {
             if (v != "true" && v != "false") return false;
             c.session_recording_required = v == "true";
             return true;
         }},
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
        {"broker.viewer_max_lag",
         "a viewer whose queued output waited this long is repainted from a fresh snapshot",
         [](const Config& c) { return render_millis(c.broker_viewer_max_lag); },
         [](Config& c, const std::string& v) {
             return set_millis(c.broker_viewer_max_lag, v, Millis(10), Millis(60'000));
         }},
        {"metrics.listen",
         "address:port of tandem-broker's /healthz and /metrics (plain HTTP); empty = none",
         [](const Config& c) { return c.metrics_listen; },
         [](Config& c, const std::string& v) {
             if (v.empty()) {
                 c.metrics_listen.clear();
                 return true;
             }
             return set_listen(c.metrics_listen, v);
         }},
        {"admin.announce_watch",
         "true: a watched session's participants are told an auditor is watching; false: not",
         [](const Config& c) { return std::string(c.admin_announce_watch ? "true" : "false"); },
         [](Config& c, const std::string& v) {
             if (v != "true" && v != "false") return false;
             c.admin_announce_watch = v == "true";
             return true;
         }},
        {"cluster.node",
         "this node's id among the nodes sharing one store (letters, digits, . _ -); empty = the "
         "store's one node",
         [](const Config& c) { return c.cluster_node; },
         [](Config& c, const std::string& v) { return set_node_id(c.cluster_node, v); }},
        {"cluster.heartbeat", "how often a node's broker tells the store it is alive",
         SECONDS(cluster_heartbeat)},
        {"cluster.node_timeout",
         "a node silent this long is gone: another node ends its sessions and shares",
         SECONDS(cluster_node_timeout)},
        {"cluster.listen",
         "address:port where this node's broker takes the other nodes' links (mutual TLS), and "
         "where they reach it; empty = none",
         [](const Config& c) { return c.cluster_listen; },
         [](Config& c, const std::string& v) {
             if (v.empty()) {
                 c.cluster_listen.clear();
                 return true;
             }
             // Other nodes dial this very address: a wildcard would tell them nothing.
             const auto hp = parse_host_port(v);
             if (!hp || hp->first == "0.0.0.0" || hp->first == "::" || hp->first == "[::]")
                 return false;
             c.cluster_listen = v;
             return true;
         }},
        {"cluster.tls_cert",
         "the nodes' one certificate (PEM): every node presents it and accepts only a peer that "
         "presents it too",
         TEXT(cluster_tls_cert, false)},
        {"cluster.tls_key", "the private key of cluster.tls_cert (PEM, 0600)",
         TEXT(cluster_tls_key, false)},
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

}  // namespace tandem
