// Nodes sharing one store, on both backends: a node id is claimed by one running broker; a
// broker reconciles and resumes only its own node's sessions; a node silent past the timeout
// has its live sessions ended once, by whichever node notices.
#include <gtest/gtest.h>

#include "support/store_backends.hpp"
#include "tandem/store.hpp"

namespace tandem {
namespace {

using test_support::StoreBackend;

class StoreNodes : public ::testing::TestWithParam<StoreBackend> {
  protected:
    void SetUp() override {
        store_.emplace(Store::open(where_.location()));
        const Id alice = store_->add_user("alice", false, "");
        Host host;
        host.name = "web01";
        host.address = "127.0.0.1";
        account_ =
            store_->put_account(store_->add_host(host), "root", CredentialKind::password, "x");
        alice_ = alice;
    }
    // A live, shared session of alice's running on `node`.
    void session_on(const std::string& node, const std::string& uuid) {
        SessionRecord s;
        s.user_id = alice_;
        s.account_id = account_;
        s.uuid = uuid;
        s.hook_pid = 4242;
        s.node = node;
        store_->begin_session(s);
        SessionSharing sharing;
        sharing.shared = true;
        sharing.share_id = "share-" + uuid;
        sharing.controller = "bob";
        sharing.participants = {{"bob", "ssh", "127.0.0.1"}};
        store_->set_session_sharing(uuid, sharing);
    }
    static NodeRecord node(const std::string& id, std::int64_t pid, UnixTime seen) {
        return NodeRecord{id,   "host-" + id, pid,
                          seen, seen,         "10.0.0." + std::to_string(pid) + ":7443"};
    }
    bool live(const std::string& uuid) {
        const auto s = store_->find_session(uuid);
        return s && !s->ended_at;
    }

    test_support::StoreLocation where_{GetParam()};
    std::optional<Store> store_;
    Id account_ = 0;
    Id alice_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreNodes,
                         ::testing::Values(StoreBackend::sqlite, StoreBackend::postgres),
                         test_support::backend_name);

TEST_P(StoreNodes, ANodeIdIsHeldByOneRunningBrokerAtATime) {
    const UnixTime now = now_unix();
    EXPECT_FALSE(store_->claim_node(node("a", 100, now), now - 30));
    // Another broker asking for the same id while the first is fresh is refused, and told who.
    const auto holder = store_->claim_node(node("a", 200, now), now - 30);
    ASSERT_TRUE(holder);
    EXPECT_EQ(holder->pid, 100);
    EXPECT_EQ(holder->host, "host-a");
    // Positive controls: another id is free; the same process claims again; once the holder is
    // silent past the timeout, the id is free again.
    EXPECT_FALSE(store_->claim_node(node("b", 200, now), now - 30));
    EXPECT_FALSE(store_->claim_node(node("a", 100, now), now - 30));
    EXPECT_FALSE(store_->claim_node(node("a", 300, now + 60), now + 60 - 30));
    const auto nodes = store_->list_nodes();
    ASSERT_EQ(nodes.size(), 2u);
    EXPECT_EQ(nodes[0].id, "a");
    EXPECT_EQ(nodes[0].pid, 300);
}

TEST_P(StoreNodes, ABrokerReconcilesAndResumesOnlyItsOwnNodesSessions) {
    session_on("a", "on-a");
    session_on("b", "on-b");
    const auto hooks = store_->live_session_hooks("a");
    ASSERT_EQ(hooks.size(), 1u);
    EXPECT_EQ(hooks[0].uuid, "on-a");
    const auto shares = store_->reset_live_shares("a");
    ASSERT_EQ(shares.size(), 1u);
    EXPECT_EQ(shares[0].session_uuid, "on-a");
    // b's participants and controller are b's broker's to reset, not a's.
    for (const auto& s : store_->list_live_sessions()) {
        if (s.session.uuid == "on-b") {
            EXPECT_EQ(s.session.node, "b");
            EXPECT_EQ(s.sharing.controller, "bob");
            EXPECT_EQ(s.sharing.participants.size(), 1u);
        } else {
            EXPECT_EQ(s.sharing.controller, "alice");
            EXPECT_TRUE(s.sharing.participants.empty());
        }
    }
}

TEST_P(StoreNodes, AGoneNodesSessionsAreEndedOnceAndALiveNodesAreNot) {
    const UnixTime now = now_unix();
    ASSERT_FALSE(store_->claim_node(node("a", 1, now), now - 30));
    ASSERT_FALSE(store_->claim_node(node("b", 2, now - 100), now - 200));  // silent for 100 s
    ASSERT_FALSE(store_->claim_node(node("c", 3, now), now - 30));
    session_on("a", "on-a");
    session_on("b", "on-b");
    session_on("c", "on-c");
    session_on("unknown", "on-unknown");  // a node that never announced itself: left alone

    const auto ended = store_->end_sessions_of_gone_nodes("a", now - 30);
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_EQ(ended[0], "on-b");
    EXPECT_FALSE(live("on-b"));
    EXPECT_EQ(store_->find_session("on-b")->end_reason, "T_705 node b gone");
    EXPECT_TRUE(live("on-a"));
    EXPECT_TRUE(live("on-c"));
    EXPECT_TRUE(live("on-unknown"));
    // Another node noticing the same: nothing more is ended or audited.
    EXPECT_TRUE(store_->end_sessions_of_gone_nodes("c", now - 30).empty());
    AuditQuery lost;
    lost.event = "session.lost";
    EXPECT_EQ(store_->search_audit(lost).size(), 1u);
    // A heartbeat keeps a node alive: b is back, its new session stays.
    store_->node_heartbeat("b", now);
    session_on("b", "on-b-again");
    EXPECT_TRUE(store_->end_sessions_of_gone_nodes("a", now - 30).empty());
    EXPECT_TRUE(live("on-b-again"));
}

// A node asked to join a share it does not hold finds the node that does, and where to reach
// it; an ended session's share, or an unknown one, has none.
TEST_P(StoreNodes, AShareIsFoundOnTheNodeRunningItsSession) {
    const UnixTime now = now_unix();
    ASSERT_FALSE(store_->claim_node(node("a", 1, now), now - 30));
    ASSERT_FALSE(store_->claim_node(node("b", 2, now), now - 30));
    session_on("b", "on-b");
    const auto holder = store_->node_of_share("share-on-b");
    ASSERT_TRUE(holder);
    EXPECT_EQ(holder->id, "b");
    EXPECT_EQ(holder->address, "10.0.0.2:7443");
    EXPECT_FALSE(store_->node_of_share("share-unknown"));
    store_->end_session(store_->find_session("on-b")->id, 0, "done");
    EXPECT_FALSE(store_->node_of_share("share-on-b"));
}

}  // namespace
}  // namespace tandem
