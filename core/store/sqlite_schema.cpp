// The SQLite store's schema as an ordered list of migrations: migration i takes PRAGMA
// user_version from i to i+1. Never edit a shipped step; append a new one, and its
// PostgreSQL twin in postgres_schema.cpp (both backends keep the same version numbers).
#include <vector>

namespace tandem::sql {

const std::vector<const char*>& sqlite_migrations() {
    static const std::vector<const char*> steps = {
        // 1: users, keys, hosts, accounts, grants, sessions, audit.
        R"sql(
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    is_admin INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE TABLE user_keys (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    blob TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
-- A key names exactly one person: sshd looks the offered key up here on every attempt.
CREATE UNIQUE INDEX user_keys_by_key ON user_keys(type, blob);
CREATE INDEX user_keys_by_user ON user_keys(user_id);
CREATE TABLE hosts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    address TEXT NOT NULL,
    port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    host_key_type TEXT NOT NULL DEFAULT '',
    host_key_blob TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    login TEXT NOT NULL,
    credential_kind TEXT NOT NULL CHECK (credential_kind IN ('private_key', 'password')),
    credential TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (host_id, login)
);
CREATE TABLE grants (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, account_id)
) WITHOUT ROWID;
CREATE INDEX grants_by_account ON grants(account_id);
-- Sessions outlive the user or account they ran as: names are kept beside the ids.
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    user_name TEXT NOT NULL,
    account_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    account_name TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    exit_status INTEGER,
    end_reason TEXT NOT NULL DEFAULT '',
    recording_path TEXT NOT NULL DEFAULT '',
    client TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_by_user ON sessions(user_id, started_at);
CREATE INDEX sessions_by_start ON sessions(started_at);
CREATE INDEX sessions_live ON sessions(started_at) WHERE ended_at IS NULL;
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_time ON audit(at);
)sql",
        // 2: disabled users; what `tandem-admin sessions --live` shows of a live session (how
        // it came in, bytes relayed, its share, who takes part and who controls).
        R"sql(
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN via TEXT NOT NULL DEFAULT 'ssh';
ALTER TABLE sessions ADD COLUMN bytes_in INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN bytes_out INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN controller TEXT NOT NULL DEFAULT '';
CREATE TABLE session_participants (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    user_name TEXT NOT NULL,
    via TEXT NOT NULL,
    client TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (session_id, position)
) WITHOUT ROWID;
)sql",
        // 3: an administrator's order to end a live session (tandem-admin terminate). The
        // session's hook reads it on its access re-check, so the order reaches the session even
        // when the broker is down.
        R"sql(
CREATE TABLE session_terminations (
    session_uuid TEXT PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT ''
);
)sql",
        // 4 (auditor role): users who may watch live sessions and play recordings in the web
        // face but change nothing; admins may do all of that and terminate too.
        R"sql(
ALTER TABLE users ADD COLUMN is_auditor INTEGER NOT NULL DEFAULT 0;
)sql",
        // 5: the process id of a live session's hook, so that a hook killed before it could end
        // its session (SIGKILL, a crash) is found and its session ended (the broker reconciles).
        R"sql(
ALTER TABLE sessions ADD COLUMN hook_pid INTEGER;
)sql",
        // 6: what survives a broker restart. A live session's share id, so the same invite
        // links keep working once its hook re-registers; and the web login sessions, keyed by
        // a digest of the cookie (the cookie itself is never stored).
        R"sql(
ALTER TABLE sessions ADD COLUMN share_id TEXT;
CREATE INDEX sessions_share_id ON sessions(share_id);
CREATE TABLE web_logins (
    id TEXT PRIMARY KEY,
    user_name TEXT NOT NULL,
    credential_tag TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL
);
)sql",
        // 7: nodes sharing one store. Each session row names the node running it; each node's
        // broker keeps its row's last_seen fresh, and a node silent for cluster.node_timeout
        // has its live sessions ended by another.
        R"sql(
ALTER TABLE sessions ADD COLUMN node TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_live_by_node ON sessions(node) WHERE ended_at IS NULL;
CREATE TABLE nodes (
    id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
);
)sql",
        // 8: where each node's broker takes the other nodes' links (cluster.listen), for joins
        // of a share held by another node.
        R"sql(
ALTER TABLE nodes ADD COLUMN address TEXT NOT NULL DEFAULT '';
)sql",
    };
    return steps;
}

}  // namespace tandem::sql
