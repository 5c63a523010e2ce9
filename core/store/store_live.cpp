// Store: what a live session looks like now (bytes, share, participants, controller) for
// `tandem-admin sessions --live`, and the audit search behind `tandem-admin audit`.
#include "sql_connection.hpp"
#include "tandem/store.hpp"

namespace tandem {
namespace {

using sql::Statement;

std::vector<SessionParticipant> participants_of(sql::Connection& db, Id session_id) {
    Statement st(db,
                 "SELECT user_name, via, client FROM session_participants WHERE session_id = ? "
                 "ORDER BY position");
    st.bind(1, session_id);
    std::vector<SessionParticipant> out;
    while (st.step()) out.push_back({st.text(0), st.text(1), st.text(2)});
    return out;
}

// `text` as a literal inside a LIKE pattern (ESCAPE '\\').
std::string like_literal(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

}  // namespace

void Store::set_session_bytes(Id session_id, std::int64_t bytes_in, std::int64_t bytes_out) {
    Statement st(*db_, "UPDATE sessions SET bytes_in = ?, bytes_out = ? WHERE id = ?");
    st.bind(1, bytes_in).bind(2, bytes_out).bind(3, session_id);
    st.run();
}

void Store::set_session_sharing(const std::string& uuid, const SessionSharing& sharing) {
    StoreTransaction tx(*this);
    Statement find(*db_, "SELECT id FROM sessions WHERE uuid = ? AND ended_at IS NULL");
    find.bind(1, uuid);
    if (!find.step()) return;
    const Id id = find.int64(0);
    Statement update(*db_,
                     "UPDATE sessions SET shared = ?, controller = ?, share_id = NULLIF(?, '') "
                     "WHERE id = ?");
    update.bind(1, std::int64_t{sharing.shared})
        .bind(2, sharing.controller)
        .bind(3, sharing.shared ? sharing.share_id : std::string())
        .bind(4, id);
    update.run();
    Statement clear(*db_, "DELETE FROM session_participants WHERE session_id = ?");
    clear.bind(1, id);
    clear.run();
    std::int64_t position = 0;
    for (const auto& p : sharing.participants) {
        Statement add(*db_,
                      "INSERT INTO session_participants (session_id, position, user_name, via, "
                      "client) VALUES (?,?,?,?,?)");
        add.bind(1, id).bind(2, position++).bind(3, p.user_name).bind(4, p.via).bind(5, p.client);
        add.run();
    }
    tx.commit();
}

std::vector<LiveSessionRecord> Store::list_live_sessions() const {
    Statement st(
        *db_,
        std::string("SELECT ") + sql::kSessionColumns +
            ", shared, controller, COALESCE(share_id, '') FROM sessions WHERE ended_at IS NULL "
            "ORDER BY started_at, id");
    std::vector<LiveSessionRecord> live;
    while (st.step()) {
        LiveSessionRecord r;
        r.session = sql::read_session(st);
        r.sharing.shared = st.int64(16) != 0;
        r.sharing.controller = st.text(17);
        r.sharing.share_id = st.text(18);
        live.push_back(std::move(r));
    }
    for (auto& r : live) r.sharing.participants = participants_of(*db_, r.session.id);
    return live;
}

std::vector<AuditEvent> Store::search_audit(const AuditQuery& q) const {
    // Grants and revokes name the user in the detail ("user=alice"), sessions the account in
    // the subject: both places are searched. LIKE ignores ASCII case as SQLite's does, on
    // PostgreSQL too.
    Statement st(*db_,
                 std::string("SELECT ") + sql::kAuditColumns +
                     " FROM audit WHERE "
                     "(?1 = '' OR actor = ?1 OR subject = ?1 OR LOWER(' ' || detail || ' ') LIKE "
                     "LOWER(?2) ESCAPE '\\') AND "
                     "(?3 = '' OR subject = ?3 OR LOWER(' ' || detail || ' ') LIKE LOWER(?4) "
                     "ESCAPE '\\') AND "
                     "(?5 = '' OR action = ?5 OR LOWER(action) LIKE LOWER(?6) ESCAPE '\\') AND "
                     "(?7 = 0 OR at >= ?7) AND (?8 = 0 OR at <= ?8) "
                     "ORDER BY at DESC, id DESC LIMIT ?9");
    st.bind(1, q.user).bind(2, "% user=" + like_literal(q.user) + " %");
    st.bind(3, q.account).bind(4, "% account=" + like_literal(q.account) + " %");
    st.bind(5, q.event).bind(6, like_literal(q.event) + ".%");
    st.bind(7, q.since).bind(8, q.until);
    st.bind(9, sql::limit_or_all(q.limit));
    std::vector<AuditEvent> events;
    while (st.step()) events.push_back(sql::read_audit_event(st));
    return events;
}

}  // namespace tandem
