// The store shared by every process (sshd children, hooks, admin CLI, broker) and, on
// PostgreSQL, by every node: one SQLite file in WAL mode (the default) or a PostgreSQL
// database, with versioned migrations for each. A Store object belongs to one thread; open one
// per process/thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct sqlite3;

namespace tandem {

namespace sql {
class Connection;
}

class StoreError : public std::runtime_error {
  public:
    enum class Kind { unavailable, duplicate, not_found, constraint, corrupt };
    StoreError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
    Kind kind() const noexcept { return kind_; }

  private:
    Kind kind_;
};

using Id = std::int64_t;
using UnixTime = std::int64_t;  // seconds since the epoch, UTC

struct User {
    Id id = 0;
    std::string name;
    bool is_admin = false;
    std::string password_hash;  // "" = no web login
    UnixTime created_at = 0;
    bool disabled = false;    // refused at every login, put out of live sessions
    bool is_auditor = false;  // may watch live sessions and play recordings (web), no more
};

struct UserKey {
    Id id = 0;
    Id user_id = 0;
    std::string type;         // "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa", ...
    std::string blob_base64;  // the key blob exactly as in authorized_keys
    std::string fingerprint;  // "SHA256:..."
    std::string comment;
};

struct Host {
    Id id = 0;
    std::string name;  // "web01"
    std::string address;
    std::uint16_t port = 22;
    std::string host_key_type;  // pinned key; "" = not pinned yet
    std::string host_key_base64;
};

enum class CredentialKind { private_key, password };

struct Account {
    Id id = 0;
    Id host_id = 0;
    std::string login;      // "root"
    std::string host_name;  // "web01"
    CredentialKind kind = CredentialKind::private_key;
    std::string credential;  // PEM/OpenSSH private key or password; never shown to users
    std::string name() const { return login + "@" + host_name; }
};

struct SessionRecord {
    Id id = 0;
    std::string uuid;
    Id user_id = 0;
    std::string user_name;
    Id account_id = 0;
    std::string account_name;  // "root@web01"
    UnixTime started_at = 0;
    std::optional<UnixTime> ended_at;
    std::optional<int> exit_status;
    std::string end_reason;  // "exit", "T_514", "client closed", ...
    std::string recording_path;
    std::string client;          // "ssh 127.0.0.1:53422"
    std::string via = "ssh";     // how the creator came in: "ssh", "web", "drop-in"
    std::int64_t bytes_in = 0;   // typed into the host (all participants)
    std::int64_t bytes_out = 0;  // the host's output
    std::int64_t hook_pid = 0;   // the tandem-shell process running it (begin_session only)
    std::string node;            // the node running it (cluster.node; "" = the store's one node)
};

// A node sharing the store: what its broker last wrote (store_nodes.cpp).
struct NodeRecord {
    std::string id;  // cluster.node
    std::string host;
    std::int64_t pid = 0;  // its broker's process id
    UnixTime started_at = 0;
    UnixTime last_seen = 0;
    std::string address;  // its cluster.listen: where other nodes' brokers reach it ("" = none)
};

// A live session row and the hook process that should be running it.
struct LiveSessionHook {
    Id session_id = 0;
    std::string uuid;
    std::string user_name;
    std::string account_name;
    std::int64_t hook_pid = 0;  // 0: the row predates hook_pid, nothing to check
};

// Someone in a shared session besides its creator.
struct SessionParticipant {
    std::string user_name;
    std::string via;     // "ssh" or "web"
    std::string client;  // where they are
};

// A live session's share as the broker last wrote it.
struct SessionSharing {
    bool shared = false;
    std::string share_id;    // what invites name ("" = not shared); kept across broker restarts
    std::string controller;  // user name of who types now ("" = not shared)
    std::vector<SessionParticipant> participants;
};

// A share the store holds for a live session (what a restarted broker resumes).
struct LiveShare {
    std::string session_uuid;
    std::string share_id;
    std::string creator;  // user name
};

// A web login session as persisted: id is a digest of the browser's cookie, never the cookie.
struct WebLoginRecord {
    std::string id;
    std::string user_name;
    std::string credential_tag;  // which password it was made with
    UnixTime created_at = 0;
    UnixTime last_used_at = 0;
};

struct LiveSessionRecord {
    SessionRecord session;
    SessionSharing sharing;
};

struct GrantRecord {
    std::string user_name;
    std::string account_name;  // "root@web01"
    UnixTime created_at = 0;
};

// Audit search: empty fields match everything; since/until are inclusive bounds (0 = none).
struct AuditQuery {
    std::string user;     // the actor, or the user a grant/revoke names
    std::string account;  // LOGIN@HOST: the subject, or named in the detail
    std::string event;    // the action, or an action family ("session" = "session.*")
    UnixTime since = 0;
    UnixTime until = 0;
    int limit = 0;  // 0 = all
};

// An administrator's order to end a live session (tandem-admin terminate).
struct TerminationOrder {
    std::string session_uuid;
    UnixTime at = 0;
    std::string actor;   // the administrator
    std::string reason;  // shown to everyone in the session
};

struct AuditEvent {
    Id id = 0;
    UnixTime at = 0;
    std::string actor;    // user name or "admin" / "system"
    std::string action;   // "session.start", "grant", "user.add", ...
    std::string subject;  // what it acted on ("root@web01", "alice")
    std::string detail;
};

class Store {
  public:
    // A location is `sqlite:PATH`, a bare PATH (SQLite), or a `postgresql://` URL (libpq's
    // syntax, any of its parameters). Opens (creating a missing SQLite file) and migrates to
    // the latest schema. Throws StoreError.
    static Store open(const std::string& location);
    // Opens an existing store read-write without creating a SQLite file (tandem-keys, hooks).
    static Store open_existing(const std::string& location);

    Store(Store&&) noexcept;
    Store& operator=(Store&&) noexcept;
    ~Store();

    int schema_version() const;

    // Users and keys.
    Id add_user(const std::string& name, bool is_admin, const std::string& password_hash);
    std::optional<User> find_user(const std::string& name) const;
    std::vector<User> list_users() const;
    void set_password_hash(const std::string& name, const std::string& password_hash);
    void delete_user(const std::string& name);                       // cascades keys and grants
    void set_user_disabled(const std::string& name, bool disabled);  // not_found when unknown
    void set_user_roles(const std::string& name, bool is_admin, bool is_auditor);  // not_found
    void delete_user_key(Id user_id, const std::string& fingerprint);  // not_found when absent
    Id add_user_key(Id user_id, const UserKey& key);
    std::vector<UserKey> user_keys(Id user_id) const;
    // The owner of a key blob: one indexed lookup (sshd runs this on every offered key).
    std::optional<User> find_user_by_key(const std::string& type,
                                         const std::string& blob_base64) const;

    // Hosts and accounts.
    Id add_host(const Host& host);
    std::optional<Host> find_host(const std::string& name) const;
    std::vector<Host> list_hosts() const;
    void pin_host_key(Id host_id, const std::string& type, const std::string& blob_base64);
    void set_host_address(Id host_id, const std::string& address, std::uint16_t port);
    void delete_host(Id host_id);  // cascades its accounts and their grants
    // Adds the account, or replaces the credential of an existing one.
    Id put_account(Id host_id, const std::string& login, CredentialKind kind,
                   const std::string& credential);
    std::optional<Account> find_account(const std::string& login,
                                        const std::string& host_name) const;
    // Every account (or those of one host), by host then login; credential left empty.
    std::vector<Account> list_accounts(const std::string& host_name = {}) const;
    void delete_account(Id account_id);  // cascades its grants

    // Grants.
    void grant(Id user_id, Id account_id);
    void revoke(Id user_id, Id account_id);  // StoreError(not_found) when absent
    bool has_grant(Id user_id, Id account_id) const;
    std::vector<Account> granted_accounts(Id user_id) const;  // credential left empty
    std::vector<GrantRecord> list_grants() const;             // by user, then account

    // Sessions.
    Id begin_session(const SessionRecord& session);  // uuid, user, account, start, recording
    void end_session(Id session_id, std::optional<int> exit_status, const std::string& reason);
    std::vector<SessionRecord> list_sessions(int limit) const;  // newest first
    // Counters of a running session (absolute totals, written by its hook).
    void set_session_bytes(Id session_id, std::int64_t bytes_in, std::int64_t bytes_out);
    // The share of the live session with this uuid, replaced whole (written by the broker).
    // An unknown uuid is ignored: the session may be gone already.
    void set_session_sharing(const std::string& uuid, const SessionSharing& sharing);
    std::vector<LiveSessionRecord> list_live_sessions() const;  // oldest first
    std::optional<SessionRecord> find_session(const std::string& uuid) const;
    // Records the order to end a live session, with its audit event, in one transaction.
    // StoreError(not_found) when no live session has that uuid; a second order keeps the first.
    void order_termination(const TerminationOrder& order);
    std::optional<TerminationOrder> find_termination(const std::string& uuid) const;
    // Live session rows of one node with their hook's process id (store_reconcile.cpp).
    std::vector<LiveSessionHook> live_session_hooks(const std::string& node) const;
    // Ends a live session whose hook is gone, with a `session.lost` audit event, in one
    // transaction; false when the session had ended meanwhile.
    bool end_lost_session(const LiveSessionHook& hook, const std::string& reason);
    // A starting broker of `node`: every participant of the previous one is gone (their
    // connections died with it) and the creators type again; the shares stay. Returns them.
    std::vector<LiveShare> reset_live_shares(const std::string& node);

    // Nodes (store_nodes.cpp). A starting broker claims its node id: refused (the record that
    // holds it is returned, nothing written) while another process heard from since
    // fresh_since holds it; otherwise the row is ours.
    std::optional<NodeRecord> claim_node(const NodeRecord& me, UnixTime fresh_since);
    void node_heartbeat(const std::string& id, UnixTime at);
    std::vector<NodeRecord> list_nodes() const;  // by id
    // The node running the live session that holds share `share_id`, if any.
    std::optional<NodeRecord> node_of_share(const std::string& share_id) const;
    // Ends the live sessions of every node but `self` silent since before silent_before, each
    // with a `session.lost` audit event, in one transaction; their uuids. Idempotent across
    // nodes noticing at once: a session is ended once.
    std::vector<std::string> end_sessions_of_gone_nodes(const std::string& self,
                                                        UnixTime silent_before);
    // Whether the share was its session's when that session ended (its id stays in the row).
    bool share_session_ended(const std::string& share_id) const;

    // Web login sessions (store_web_logins.cpp).
    void save_web_login(const WebLoginRecord& login);  // replaces one with the same id
    std::optional<WebLoginRecord> find_web_login(const std::string& id) const;
    void touch_web_login(const std::string& id, UnixTime at);
    void delete_web_login(const std::string& id);
    // Forgets logins idle since before idle_before or made before created_before; the count.
    int delete_stale_web_logins(UnixTime idle_before, UnixTime created_before);

    // Audit.
    void audit(const std::string& actor, const std::string& action, const std::string& subject,
               const std::string& detail = {});
    std::vector<AuditEvent> list_audit(int limit) const;                  // newest first
    std::vector<AuditEvent> search_audit(const AuditQuery& query) const;  // newest first

    sqlite3* handle() const;  // the SQLite connection, for tests; nullptr on PostgreSQL

  private:
    friend class StoreTransaction;
    explicit Store(std::unique_ptr<sql::Connection> db);
    std::unique_ptr<sql::Connection> db_;
};

// Groups several Store calls into one atomic write. Rolls back when destroyed uncommitted. The
// Store must outlive it. The store's write lock is taken up front (SQLite: BEGIN IMMEDIATE;
// PostgreSQL: an advisory lock taken before BEGIN), so a read-then-write cannot fail half-way
// on a concurrent writer.
class StoreTransaction {
  public:
    explicit StoreTransaction(Store& store);
    explicit StoreTransaction(sql::Connection& db);  // before a Store exists (migration)
    ~StoreTransaction();
    StoreTransaction(const StoreTransaction&) = delete;
    StoreTransaction& operator=(const StoreTransaction&) = delete;
    void commit();

  private:
    sql::Connection& db_;
    bool done_ = false;
};

UnixTime now_unix();

// The SQLite file a store location names; nullopt for a PostgreSQL URL.
std::optional<std::string> sqlite_file_of(const std::string& location);
// A store location as it may be shown or logged: a URL's password replaced by "***".
std::string redacted_store_location(const std::string& location);

}  // namespace tandem
