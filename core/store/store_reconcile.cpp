// Store: live session rows whose hook died before it could end them (SIGKILL, a crash). The
// broker checks each of its node's rows' hook process and ends the rows nobody runs any more
// (another node's hooks are not its to check: store_nodes.cpp covers a node that is gone).
#include "sql_connection.hpp"
#include "tandem/store.hpp"

namespace tandem {

using sql::Statement;

std::vector<LiveSessionHook> Store::live_session_hooks(const std::string& node) const {
    Statement st(*db_,
                 "SELECT id, uuid, user_name, account_name, COALESCE(hook_pid, 0) FROM sessions "
                 "WHERE ended_at IS NULL AND node = ? ORDER BY started_at, id");
    st.bind(1, node);
    std::vector<LiveSessionHook> hooks;
    while (st.step()) {
        LiveSessionHook h;
        h.session_id = st.int64(0);
        h.uuid = st.text(1);
        h.user_name = st.text(2);
        h.account_name = st.text(3);
        h.hook_pid = st.int64(4);
        hooks.push_back(std::move(h));
    }
    return hooks;
}

bool Store::end_lost_session(const LiveSessionHook& hook, const std::string& reason) {
    StoreTransaction tx(*this);
    Statement st(*db_,
                 "UPDATE sessions SET ended_at = ?, end_reason = ? "
                 "WHERE id = ? AND ended_at IS NULL");
    st.bind(1, now_unix()).bind(2, reason).bind(3, hook.session_id);
    if (st.run() == 0) return false;
    Statement gone(*db_, "DELETE FROM session_participants WHERE session_id = ?");
    gone.bind(1, hook.session_id);
    gone.run();
    audit("tandem-broker", "session.lost", hook.account_name,
          "uuid=" + hook.uuid + " user=" + hook.user_name +
              " hook_pid=" + std::to_string(hook.hook_pid) + " reason=" + reason);
    tx.commit();
    return true;
}

bool Store::share_session_ended(const std::string& share_id) const {
    Statement st(*db_, "SELECT 1 FROM sessions WHERE share_id = ? AND ended_at IS NOT NULL");
    st.bind(1, share_id);
    return st.step();
}

std::vector<LiveShare> Store::reset_live_shares(const std::string& node) {
    StoreTransaction tx(*this);
    Statement gone(*db_,
                   "DELETE FROM session_participants WHERE session_id IN "
                   "(SELECT id FROM sessions WHERE ended_at IS NULL AND node = ?)");
    gone.bind(1, node);
    gone.run();
    // Not shared without a share id (written before migration 6): nothing to resume.
    Statement stale(*db_,
                    "UPDATE sessions SET shared = 0, controller = '' "
                    "WHERE ended_at IS NULL AND shared = 1 AND share_id IS NULL AND node = ?");
    stale.bind(1, node);
    stale.run();
    Statement creators(*db_,
                       "UPDATE sessions SET controller = user_name "
                       "WHERE ended_at IS NULL AND shared = 1 AND node = ?");
    creators.bind(1, node);
    creators.run();
    Statement st(*db_,
                 "SELECT uuid, share_id, user_name FROM sessions "
                 "WHERE ended_at IS NULL AND shared = 1 AND node = ? ORDER BY started_at, id");
    st.bind(1, node);
    std::vector<LiveShare> shares;
    while (st.step()) shares.push_back({st.text(0), st.text(1), st.text(2)});
    tx.commit();
    return shares;
}

}  // namespace tandem
