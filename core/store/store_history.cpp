// Store: sessions and the audit log.
#include <openssl/rand.h>
#include <cstdio>

#include "sql_connection.hpp"
#include "tandem/store.hpp"

namespace tandem {
namespace {

using sql::Statement;
using Kind = StoreError::Kind;

// Random (version 4) UUID from the OS CSPRNG.
std::string random_uuid() {
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1) throw StoreError(Kind::unavailable, "no randomness");
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
    char out[37];
    std::snprintf(out, sizeof out,
                  "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                  b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                  b[14], b[15]);
    return out;
}

std::optional<std::int64_t> nullable(const Statement& st, int column) {
    if (st.is_null(column)) return std::nullopt;
    return st.int64(column);
}

}  // namespace

namespace sql {

const char* const kSessionColumns =
    "id, uuid, COALESCE(user_id, 0), user_name, COALESCE(account_id, 0), account_name, "
    "started_at, ended_at, exit_status, end_reason, recording_path, client, via, bytes_in, "
    "bytes_out, node";

const char* const kAuditColumns = "id, at, actor, action, subject, detail";

AuditEvent read_audit_event(const Statement& st) {
    AuditEvent e;
    e.id = st.int64(0);
    e.at = st.int64(1);
    e.actor = st.text(2);
    e.action = st.text(3);
    e.subject = st.text(4);
    e.detail = st.text(5);
    return e;
}

SessionRecord read_session(const sql::Statement& st) {
    SessionRecord s;
    s.id = st.int64(0);
    s.uuid = st.text(1);
    s.user_id = st.int64(2);
    s.user_name = st.text(3);
    s.account_id = st.int64(4);
    s.account_name = st.text(5);
    s.started_at = st.int64(6);
    s.ended_at = nullable(st, 7);
    if (auto status = nullable(st, 8)) s.exit_status = static_cast<int>(*status);
    s.end_reason = st.text(9);
    s.recording_path = st.text(10);
    s.client = st.text(11);
    s.via = st.text(12);
    s.bytes_in = st.int64(13);
    s.bytes_out = st.int64(14);
    s.node = st.text(15);
    return s;
}

}  // namespace sql

Id Store::begin_session(const SessionRecord& session) {
    // Names are filled from the ids when the caller left them empty, so the history still
    // reads well after the user or account is deleted.
    Statement st(
        *db_,
        "INSERT INTO sessions (uuid, user_id, user_name, account_id, account_name, "
        "started_at, recording_path, client, via, hook_pid, node) VALUES (?1, ?2, "
        "COALESCE(NULLIF(?3, ''), (SELECT name FROM users WHERE id = ?2), ''), ?4, "
        "COALESCE(NULLIF(?5, ''), (SELECT a.login || '@' || h.name FROM accounts a "
        "JOIN hosts h ON h.id = a.host_id WHERE a.id = ?4), ''), ?6, ?7, ?8, ?9, ?10, ?11) "
        "RETURNING id");
    st.bind(1, session.uuid.empty() ? random_uuid() : session.uuid);
    st.bind(2, session.user_id ? std::optional<std::int64_t>(session.user_id) : std::nullopt);
    st.bind(3, session.user_name);
    st.bind(4, session.account_id ? std::optional<std::int64_t>(session.account_id) : std::nullopt);
    st.bind(5, session.account_name);
    st.bind(6, session.started_at ? session.started_at : now_unix());
    st.bind(7, session.recording_path);
    st.bind(8, session.client);
    st.bind(9, session.via.empty() ? std::string("ssh") : session.via);
    st.bind(10, session.hook_pid ? std::optional<std::int64_t>(session.hook_pid) : std::nullopt);
    st.bind(11, session.node);
    Id id = 0;
    try {
        id = st.insert_id();
    } catch (const StoreError& e) {
        if (e.kind() == Kind::constraint)
            throw StoreError(Kind::not_found, "session names an unknown user or account");
        throw;
    }
    return id;
}

void Store::end_session(Id session_id, std::optional<int> exit_status, const std::string& reason) {
    Statement st(*db_,
                 "UPDATE sessions SET ended_at = ?, exit_status = ?, end_reason = ? WHERE id = ?");
    st.bind(1, now_unix());
    st.bind(2, exit_status ? std::optional<std::int64_t>(*exit_status) : std::nullopt);
    st.bind(3, reason).bind(4, session_id);
    if (st.run() == 0)
        throw StoreError(Kind::not_found, "no session with id " + std::to_string(session_id));
}

std::vector<SessionRecord> Store::list_sessions(int limit) const {
    Statement st(*db_, std::string("SELECT ") + sql::kSessionColumns +
                           " FROM sessions ORDER BY started_at DESC, id DESC LIMIT ?");
    st.bind(1, sql::limit_or_all(limit));
    std::vector<SessionRecord> sessions;
    while (st.step()) sessions.push_back(sql::read_session(st));
    return sessions;
}

void Store::audit(const std::string& actor, const std::string& action, const std::string& subject,
                  const std::string& detail) {
    Statement st(*db_, "INSERT INTO audit (at, actor, action, subject, detail) VALUES (?,?,?,?,?)");
    st.bind(1, now_unix()).bind(2, actor).bind(3, action).bind(4, subject).bind(5, detail);
    st.run();
}

std::vector<AuditEvent> Store::list_audit(int limit) const {
    Statement st(*db_, std::string("SELECT ") + sql::kAuditColumns +
                           " FROM audit ORDER BY at DESC, id DESC LIMIT ?");
    st.bind(1, sql::limit_or_all(limit));
    std::vector<AuditEvent> events;
    while (st.step()) events.push_back(sql::read_audit_event(st));
    return events;
}

}  // namespace tandem
