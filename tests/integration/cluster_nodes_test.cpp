// Two complete nodes (tandem-sshd and tandem-broker each) on one PostgreSQL store: people log in
// on either; each node's broker keeps its node alive in the store and reconciles only its own
// sessions; a node id is held by one broker; a node that dies has its sessions ended in the
// store by the other within cluster.node_timeout.
#include <signal.h>
#include <algorithm>

#include <thread>

#include "harness/paths.hpp"
#include "harness/sharing_fixture.hpp"
#include "support/postgres_server.hpp"

namespace tandem::test {
namespace {

class ClusterNodes : public SharingTest {
  protected:
    std::vector<std::string> node_settings(const std::string& node) const {
        return {"--store.url=" + database_, "--cluster.node=" + node, "--cluster.heartbeat=1s",
                "--cluster.node_timeout=3s"};
    }
    std::vector<std::string> init_overrides() override {
        database_ = test_support::PostgresServer::shared().create_database();
        return node_settings("a");
    }
    void SetUp() override {
        SharingTest::SetUp();  // node a: the usual bastion, its broker, alice, bob, carol
        node_b = std::make_unique<BastionInstance>(tmp.subdir("node-b"), std::vector<std::string>{},
                                                   node_settings("b"));
        node_b->start_broker();
    }
    void TearDown() override { node_b.reset(); }

    // Live sessions as `tandem-admin sessions --live` on node b shows them.
    std::string live_on_b() { return node_b->admin_ok({"sessions", "--live"}).out; }

    std::string database_;
    std::unique_ptr<BastionInstance> node_b;
};

TEST_F(ClusterNodes, ANodesSessionsEndInTheStoreWhenItDiesWhileTheLiveNodeKeepsItsOwn) {
    auto alice_on_a = creator();
    auto carol_on_b = std::make_unique<PtySession>(node_b->ssh("carol", carol_key, account));
    ASSERT_TRUE(await_host_shell(*carol_on_b)) << "carol could not log in through node b";

    // Both nodes alive for longer than the timeout: neither ends the other's session (node b's
    // broker does not take alice's hook, a process of node a, for lost).
    std::this_thread::sleep_for(4500ms);
    auto live = live_on_b();
    EXPECT_NE(live.find("alice"), std::string::npos) << live;
    EXPECT_NE(live.find("carol"), std::string::npos) << live;
    const auto typed = unique_marker("a-still-types");
    alice_on_a->send_line(print_command(typed));
    EXPECT_TRUE(alice_on_a->expect(typed + "\r\n", 20s));

    // A second broker for node b is refused while the first runs; another node id is not.
    const auto twin = run_command({binary("tandem-broker"), "--config", node_b->config_path(),
                                   "--broker.socket=" + tmp.subdir("twin") + "/b.sock"},
                                  {}, 30s);
    EXPECT_EQ(twin.exit_code, 1) << twin.describe();
    EXPECT_NE(twin.err.find("T_104"), std::string::npos) << twin.describe();

    // Node a dies: its broker and every process its tandem-sshd runs (the session's hook), all
    // at once: stopped first, so that no hook sees its client go and ends its session itself.
    // Scanned until a scan finds nothing new: readdir of /proc can skip a process while others
    // come and go, and stopped ones spawn nothing.
    std::vector<pid_t> node_a_processes;
    for (bool found = true; found;) {
        found = false;
        for (pid_t pid : bastion->sshd_descendants()) {
            if (std::find(node_a_processes.begin(), node_a_processes.end(), pid) !=
                node_a_processes.end())
                continue;
            ::kill(pid, SIGSTOP);
            node_a_processes.push_back(pid);
            found = true;
        }
    }
    bastion->kill_broker();
    // Children before parents: a hook is a session leader (setsid), so killing its connection
    // first orphans its process group, and the kernel answers an orphaned group with a stopped
    // member by sending it SIGHUP and SIGCONT. The hook then woke up, took the hangup for its
    // client leaving and ended its session itself ("client closed"), about one run in three.
    // A scan lists parents before their children.
    for (auto it = node_a_processes.rbegin(); it != node_a_processes.rend(); ++it)
        ::kill(*it, SIGKILL);
    const auto died = Clock::now();
    bool ended = false;
    while (!ended && Clock::now() - died < 20s) {
        live = live_on_b();
        ended = live.find("alice") == std::string::npos;
        if (!ended) std::this_thread::sleep_for(200ms);
    }
    ASSERT_TRUE(ended) << "node a's session is still live 20 s after node a died:\n" << live;
    std::printf("[ measure  ] node a's session ended in the store %.1f s after node a died\n",
                seconds_since(died));
    const auto history = node_b->admin_ok({"sessions"}).out;
    EXPECT_NE(history.find("T_705 node a gone"), std::string::npos) << history;
    EXPECT_NE(live.find("carol"), std::string::npos) << live;
    const auto still = unique_marker("b-still-types");
    carol_on_b->send_line(print_command(still));
    EXPECT_TRUE(carol_on_b->expect(still + "\r\n", 20s)) << "carol's session on node b stopped";
}

}  // namespace
}  // namespace tandem::test
