// Store: the nodes sharing one store. Each node's broker claims its id at start and keeps its
// row's last_seen fresh; whichever node first sees another silent past the timeout ends that
// node's live sessions (their hooks died with it), once.
#include "sql_connection.hpp"
#include "tandem/store.hpp"

namespace tandem {

using sql::Statement;

namespace {

NodeRecord read_node(const Statement& st) {
    return NodeRecord{st.text(0), st.text(1), st.int64(2), st.int64(3), st.int64(4), st.text(5)};
}

}  // namespace

std::optional<NodeRecord> Store::claim_node(const NodeRecord& me, UnixTime fresh_since) {
    StoreTransaction tx(*this);
    Statement find(*db_,
                   "SELECT id, host, pid, started_at, last_seen, address FROM nodes WHERE id = ?");
    find.bind(1, me.id);
    if (find.step()) {
        const auto holder = read_node(find);
        const bool same_process = holder.host == me.host && holder.pid == me.pid;
        if (!same_process && holder.last_seen >= fresh_since) return holder;
    }
    Statement put(*db_,
                  "INSERT INTO nodes (id, host, pid, started_at, last_seen, address) "
                  "VALUES (?,?,?,?,?,?) "
                  "ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid, "
                  "started_at = excluded.started_at, last_seen = excluded.last_seen, "
                  "address = excluded.address");
    put.bind(1, me.id).bind(2, me.host).bind(3, me.pid).bind(4, me.started_at);
    put.bind(5, me.last_seen).bind(6, me.address);
    put.run();
    tx.commit();
    return std::nullopt;
}

void Store::node_heartbeat(const std::string& id, UnixTime at) {
    Statement st(*db_, "UPDATE nodes SET last_seen = ?1 WHERE id = ?2 AND last_seen < ?1");
    st.bind(1, at).bind(2, id);
    st.run();
}

std::vector<NodeRecord> Store::list_nodes() const {
    Statement st(*db_,
                 "SELECT id, host, pid, started_at, last_seen, address FROM nodes ORDER BY id");
    std::vector<NodeRecord> nodes;
    while (st.step()) nodes.push_back(read_node(st));
    return nodes;
}

std::optional<NodeRecord> Store::node_of_share(const std::string& share_id) const {
    Statement st(*db_,
                 "SELECT n.id, n.host, n.pid, n.started_at, n.last_seen, n.address "
                 "FROM sessions s JOIN nodes n ON n.id = s.node "
                 "WHERE s.share_id = ? AND s.ended_at IS NULL");
    st.bind(1, share_id);
    if (!st.step()) return std::nullopt;
    return read_node(st);
}

std::vector<std::string> Store::end_sessions_of_gone_nodes(const std::string& self,
                                                           UnixTime silent_before) {
    StoreTransaction tx(*this);
    Statement find(*db_,
                   "SELECT s.id, s.uuid, s.user_name, s.account_name, s.node FROM sessions s "
                   "JOIN nodes n ON n.id = s.node "
                   "WHERE s.ended_at IS NULL AND s.node <> ? AND n.last_seen < ? "
                   "ORDER BY s.started_at, s.id");
    find.bind(1, self).bind(2, silent_before);
    struct Gone {
        Id id;
        std::string uuid, user, account, node;
    };
    std::vector<Gone> gone;
    while (find.step())
        gone.push_back({find.int64(0), find.text(1), find.text(2), find.text(3), find.text(4)});
    std::vector<std::string> ended;
    const UnixTime now = now_unix();
    for (const auto& g : gone) {
        Statement end(*db_,
                      "UPDATE sessions SET ended_at = ?, end_reason = ? "
                      "WHERE id = ? AND ended_at IS NULL");
        end.bind(1, now).bind(2, "T_705 node " + g.node + " gone").bind(3, g.id);
        if (end.run() == 0) continue;
        Statement participants(*db_, "DELETE FROM session_participants WHERE session_id = ?");
        participants.bind(1, g.id);
        participants.run();
        audit(self.empty() ? "tandem-broker" : "tandem-broker@" + self, "session.lost", g.account,
              "uuid=" + g.uuid + " user=" + g.user + " node=" + g.node + " reason=node gone");
        ended.push_back(g.uuid);
    }
    tx.commit();
    return ended;
}

}  // namespace tandem
