// Store: finding one session, and administrators' orders to end live sessions.
#include <sqlite3.h>

#include "sqlite_statement.hpp"
#include "tandem/store.hpp"

namespace tandem {

using sqlite::Statement;
using Kind = StoreError::Kind;

std::optional<SessionRecord> Store::find_session(const std::string& uuid) const {
    Statement st(db_,
                 "SELECT id, uuid, COALESCE(user_id, 0), user_name, COALESCE(account_id, 0), "
                 "account_name, started_at, ended_at, exit_status, end_reason, recording_path, "
                 "client FROM sessions WHERE uuid = ?");
    st.bind(1, uuid);
    if (!st.step()) return std::nullopt;
    SessionRecord s;
    s.id = st.int64(0);
    s.uuid = st.text(1);
    s.user_id = st.int64(2);
    s.user_name = st.text(3);
    s.account_id = st.int64(4);
    s.account_name = st.text(5);
    s.started_at = st.int64(6);
    if (!st.is_null(7)) s.ended_at = st.int64(7);
    if (!st.is_null(8)) s.exit_status = static_cast<int>(st.int64(8));
    s.end_reason = st.text(9);
    s.recording_path = st.text(10);
    s.client = st.text(11);
    return s;
}

void Store::order_termination(const TerminationOrder& order) {
    StoreTransaction tx(*this);
    auto session = find_session(order.session_uuid);
    if (!session || session->ended_at)
        throw StoreError(Kind::not_found, "no live session " + order.session_uuid);
    Statement st(db_,
                 "INSERT OR IGNORE INTO session_terminations (session_uuid, at, actor, reason) "
                 "VALUES (?,?,?,?)");
    st.bind(1, order.session_uuid)
        .bind(2, order.at ? order.at : now_unix())
        .bind(3, order.actor)
        .bind(4, order.reason);
    st.run();
    audit(order.actor, "session.terminate", order.session_uuid,
          "user=" + session->user_name + " account=" + session->account_name +
              " reason=" + order.reason);
    tx.commit();
}

std::optional<TerminationOrder> Store::find_termination(const std::string& uuid) const {
    Statement st(db_,
                 "SELECT session_uuid, at, actor, reason FROM session_terminations "
                 "WHERE session_uuid = ?");
    st.bind(1, uuid);
    if (!st.step()) return std::nullopt;
    return TerminationOrder{st.text(0), st.int64(1), st.text(2), st.text(3)};
}

}  // namespace tandem
