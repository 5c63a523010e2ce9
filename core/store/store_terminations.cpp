// Store: finding one session, and administrators' orders to end live sessions.
#include "sql_connection.hpp"
#include "tandem/store.hpp"

namespace tandem {

using sql::Statement;
using Kind = StoreError::Kind;

std::optional<SessionRecord> Store::find_session(const std::string& uuid) const {
    Statement st(*db_,
                 std::string("SELECT ") + sql::kSessionColumns + " FROM sessions WHERE uuid = ?");
    st.bind(1, uuid);
    if (!st.step()) return std::nullopt;
    return sql::read_session(st);
}

void Store::order_termination(const TerminationOrder& order) {
    StoreTransaction tx(*this);
    auto session = find_session(order.session_uuid);
    if (!session || session->ended_at)
        throw StoreError(Kind::not_found, "no live session " + order.session_uuid);
    Statement st(*db_,
                 "INSERT INTO session_terminations (session_uuid, at, actor, reason) "
                 "VALUES (?,?,?,?) ON CONFLICT (session_uuid) DO NOTHING");
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
    Statement st(*db_,
                 "SELECT session_uuid, at, actor, reason FROM session_terminations "
                 "WHERE session_uuid = ?");
    st.bind(1, uuid);
    if (!st.step()) return std::nullopt;
    return TerminationOrder{st.text(0), st.int64(1), st.text(2), st.text(3)};
}

}  // namespace tandem
