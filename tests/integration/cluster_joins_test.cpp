// Joins across nodes (docs/cluster.md): two complete nodes on one PostgreSQL store, holding the
// same invite keys and cluster certificate. alice shares on node a; bob joins through node b
// over SSH and carol through node b's web face; both are relayed to node a over the mutual-TLS
// link and served there as node a's own viewers: the exact screen, control, unshare, and the
// end of node a's broker reach them through node b.
#include <algorithm>
#include <filesystem>
#include <thread>

#include "harness/paths.hpp"
#include "harness/sharing_fixture.hpp"
#include "harness/web_fixture.hpp"
#include "harness/web_socket_client.hpp"
#include "support/postgres_server.hpp"

namespace tandem::test {
namespace {

namespace fs = std::filesystem;

class ClusterJoins : public SharingTest {
  protected:
    std::vector<std::string> node_settings(const std::string& node, std::uint16_t port) const {
        return {"--store.url=" + database_, "--cluster.node=" + node,
                "--cluster.listen=127.0.0.1:" + std::to_string(port), "--cluster.heartbeat=1s",
                "--cluster.node_timeout=3s"};
    }
    std::vector<std::string> init_overrides() override {
        database_ = test_support::PostgresServer::shared().create_database();
        return node_settings("a", free_loopback_port());
    }
    void SetUp() override {
        SharingTest::SetUp();  // node a: the usual bastion, its broker, alice, bob, carol
        node_b = std::make_unique<BastionInstance>(tmp.subdir("node-b"), std::vector<std::string>{},
                                                   node_settings("b", free_loopback_port()));
        // Every node holds the same invite keys and the same cluster certificate.
        for (const char* file :
             {"invite-signing.pem", "invite-verify.pem", "cluster.crt", "cluster.key"})
            fs::copy_file(bastion->dir() + "/" + file, node_b->dir() + "/" + file,
                          fs::copy_options::overwrite_existing);
        node_b->start_broker_with_web(tmp.subdir("assets"));
        // Behind one load balancer every node has the same public URL, for which invites are
        // signed: node a's broker takes node b's.
        bastion->stop_broker();
        bastion->start_broker({public_url()});
        set_web_password(*node_b, "carol", carol_password);
    }
    void TearDown() override { node_b.reset(); }

    std::string public_url() const { return "--web.public_url=" + node_b->web_url(); }

    // An invitee's ssh client joining through node b.
    std::unique_ptr<PtySession> join_on_b(const std::string& key, const std::string& token) {
        return std::make_unique<PtySession>(node_b->ssh("join", key, token), 80, 24);
    }
    // carol's browser on node b's web face (a WebSocket with her login cookie).
    WebSocketClient carol_on_b() {
        WebClient web(node_b->web_port(), node_b->tls_cert_path());
        const std::string cookie = web_login(web, node_b->web_url(), "carol", carol_password);
        return WebSocketClient(node_b->web_port(), node_b->tls_cert_path(),
                               {{"Cookie", login_cookie_name(node_b->web_url()) + "=" + cookie},
                                {"Origin", node_b->web_url()}});
    }

    std::string database_;
    std::unique_ptr<BastionInstance> node_b;
    const std::string carol_password = "carol's long web password";
};

TEST_F(ClusterJoins, InviteesOnAnotherNodeSeeControlAndLeaveTheShareAsOnItsOwnNode) {
    auto alice = creator();
    const auto before = unique_marker("before-the-joins");
    alice->send_line(print_command(before));
    ASSERT_TRUE(alice->expect(before + "\r\n", 20s));
    auto invite = share(*alice);
    ASSERT_TRUE(invite);

    // The invitation page on node b: node a answers it over the link.
    WebClient web(node_b->web_port(), node_b->tls_cert_path());
    const std::string cookie = web_login(web, node_b->web_url(), "carol", carol_password);
    auto preview = web.post_json("/api/invitation", {{"token", invite->token}},
                                 {{"Cookie", login_cookie_name(node_b->web_url()) + "=" + cookie},
                                  {"Origin", node_b->web_url()}});
    ASSERT_EQ(preview.status, 200) << preview.describe();
    EXPECT_EQ(preview.json().value("ok", false), true) << preview.body;
    EXPECT_EQ(preview.json().value("creator", ""), "alice") << preview.body;

    // bob through node b over SSH, carol through node b's web face: both get the screen as it
    // was before they came.
    auto joined = Clock::now();
    auto bob = join_on_b(bob_key, invite->token);
    ASSERT_TRUE(bob->expect(before, 30s)) << bob->tail();
    std::printf("[ measure  ] bob's screen through node b after %.2f s\n", seconds_since(joined));
    ASSERT_TRUE(alice->saw("bob joined", 0, 15s)) << alice->tail();
    auto carol = carol_on_b();
    ASSERT_TRUE(carol.open()) << carol.refusal().describe();
    joined = Clock::now();
    carol.send({{"type", "join"}, {"token", invite->token}});
    auto welcome = carol.next_text(15s);
    ASSERT_TRUE(welcome && welcome->value("type", "") == "welcome")
        << (welcome ? welcome->dump() : "nothing");
    EXPECT_EQ(welcome->value("you", ""), "carol");
    ASSERT_TRUE(carol.wait_terminal(before, 15s)) << carol.terminal();
    std::printf("[ measure  ] carol's screen through node b after %.2f s\n", seconds_since(joined));
    ASSERT_TRUE(alice->saw("carol joined (web", 0, 15s)) << alice->tail();

    // Control through node b: bob applies, alice agrees, bob's typing reaches the host and
    // everyone sees it.
    invitee_command(*bob, "control");
    ASSERT_TRUE(alice->saw("bob applies for control", 0, 15s)) << alice->tail();
    escape_command(*alice, "agree");
    close_escape_prompt(*alice);
    ASSERT_TRUE(bob->expect("bob now controls the session", 15s)) << bob->tail();
    const auto typed = unique_marker("typed-by-bob-via-b");
    bob->send_line(print_command(typed));
    ASSERT_TRUE(alice->expect(typed + "\r\n", 20s)) << alice->tail();
    EXPECT_TRUE(carol.wait_terminal(typed, 15s)) << carol.terminal();
    // carol, who does not control, types nothing into the session.
    carol.send({{"type", "input"}, {"data", "echo carol-was-here\r"}});
    invitee_command(*bob, "release");
    ASSERT_TRUE(bob->expect("alice now controls the session", 15s)) << bob->tail();
    // carol applies from the browser on node b; alice refuses; carol is told and still cannot
    // type.
    carol.send({{"type", "control"}, {"id", 7}});
    ASSERT_TRUE(alice->saw("carol applies for control", 0, 15s)) << alice->tail();
    escape_command(*alice, "refuse");
    close_escape_prompt(*alice);
    bool applied = false, refused = false;
    for (int i = 0; i < 50 && !refused; ++i) {
        auto message = carol.next_text(10s);
        if (!message) break;
        applied |= message->value("type", "") == "reply" && message->value("id", 0) == 7 &&
                   message->value("ok", false);
        refused |=
            message->value("type", "") == "notice" && message->value("event", "") == "refused";
    }
    EXPECT_TRUE(applied) << "carol's request got no reply through node b";
    EXPECT_TRUE(refused) << "carol was not told of the refusal";

    // unshare on node a ejects both on node b at once.
    escape_command(*alice, "unshare");
    const auto unshared = Clock::now();
    close_escape_prompt(*alice);
    EXPECT_TRUE(expect_ended_with(*bob, ErrorCode::T_704_share_cancelled, 10s));
    std::printf("[ measure  ] bob (via node b) out %.2f s after unshare\n",
                seconds_since(unshared));
    bool carol_told = false;
    while (auto message = carol.next_text(10s)) {
        if (message->value("type", "") == "end") {
            carol_told = message->value("code", "") == "T_704";
            break;
        }
    }
    EXPECT_TRUE(carol_told) << "carol's browser was not told T_704";
    EXPECT_TRUE(carol.wait_closed(5s));
    EXPECT_EQ(alice->transcript().find("carol-was-here"), std::string::npos);
}

TEST_F(ClusterJoins, TheHoldingNodesBrokerDyingTellsViewersOnTheOtherNodeAndTheShareEnds) {
    auto alice = creator();
    auto invite = share(*alice);
    ASSERT_TRUE(invite);
    auto bob = join_on_b(bob_key, invite->token);
    const auto ready = unique_marker("ready");
    alice->send_line(print_command(ready));
    ASSERT_TRUE(bob->expect(ready, 30s)) << bob->tail();

    // Node a's broker dies: bob, on node b, is told at once and tries again; after the node
    // timeout the share is ended in the store and node b says so.
    bastion->kill_broker();
    const auto killed = Clock::now();
    ASSERT_TRUE(bob->expect("reconnecting", 10s)) << bob->tail();
    std::printf("[ measure  ] bob (via node b) told %.2f s after node a's broker died\n",
                seconds_since(killed));
    EXPECT_TRUE(expect_ended_with(*bob, ErrorCode::T_705_session_ended, 30s));
    std::printf("[ measure  ] the share ended for bob %.2f s after node a's broker died\n",
                seconds_since(killed));
    const auto history = node_b->admin_ok({"sessions"}).out;
    EXPECT_NE(history.find("T_705 node a gone"), std::string::npos) << history;
}

// A late joiner through the other node gets the creator's screen exactly, colours and cursor
// included: the snapshot comes from the holding node, whole, over the link.
TEST_F(ClusterJoins, ALateJoinerThroughTheOtherNodeGetsTheExactScreen) {
    auto alice = creator_screen();
    alice->send_text(
        "clear; for i in $(seq 1 20); do printf '\\033[3%dmrow-%d \\033[1mbold\\033[0m\\n' "
        "$((i % 7 + 1)) $i; done");
    alice->send_key("Enter");
    ASSERT_TRUE(alice->expect_on_screen("row-20 bold"));
    auto invite = share(*alice);
    ASSERT_TRUE(invite);
    const std::string expected = alice->settled_screen();
    const auto expected_cursor = alice->cursor();
    const auto expected_attributes = alice->screen_with_attributes();

    TmuxClient bob(node_b->ssh("join", bob_key, invite->token), 80, 24);
    bool same = false;
    const auto t0 = Clock::now();
    while (!same && Clock::now() - t0 < 30s) {
        same =
            bob.screen_with_attributes() == expected_attributes && bob.cursor() == expected_cursor;
        if (!same) std::this_thread::sleep_for(50ms);  // polling bob's screen
    }
    EXPECT_TRUE(same) << "bob's screen through node b:\n"
                      << bob.screen_text() << "\nalice's:\n"
                      << expected;
}

// A grant revoked with tandem-admin on node b ejects bob, a viewer attached on node a, at once:
// node a's broker hears the change from the store (LISTEN/NOTIFY) rather than at its next
// periodic re-check. carol, whose grant stays, stays.
TEST_F(ClusterJoins, AGrantRevokedThroughAnotherNodeEjectsAViewerAttachedHere) {
    auto alice = creator();
    auto invite = share(*alice);
    ASSERT_TRUE(invite);
    auto bob = join(bob_key, invite->token);  // on node a itself
    auto carol = join_on_b(carol_key, invite->token);
    const auto ready = unique_marker("ready");
    alice->send_line(print_command(ready));
    ASSERT_TRUE(bob->expect(ready, 30s)) << bob->tail();
    ASSERT_TRUE(carol->expect(ready, 30s)) << carol->tail();

    const auto revoked = Clock::now();
    node_b->revoke("bob", account);
    EXPECT_TRUE(expect_ended_with(*bob, ErrorCode::T_708_grant_revoked, 10s));
    std::printf("[ measure  ] bob out %.2f s after tandem-admin on node b revoked his grant\n",
                seconds_since(revoked));
    const auto still = unique_marker("carol-still-watches");
    alice->send_line(print_command(still));
    EXPECT_TRUE(carol->expect(still, 20s)) << carol->tail();
}

// Figures for docs/benchmarks.md: an SSH invitee's time from `ssh join@` to the creator's full
// screen, through the holding node and through the other node (three rounds each, alternating),
// and the rate at which each sees a bulk burst of output (one viewer on each node at once).
TEST_F(ClusterJoins, MeasureJoinAndBulkThroughputThroughEitherNode) {
    auto alice = creator();
    alice->send_line("clear; seq -f 'row-%g-of-the-creators-screen' 1 22");
    ASSERT_TRUE(alice->expect("row-22-of-the-creators-screen\r\n", 20s));
    auto invite = share(*alice);
    ASSERT_TRUE(invite);
    std::vector<double> via_a, via_b;
    for (int round = 0; round < 6; ++round) {
        const bool through_b = round % 2 == 1;
        const auto t0 = Clock::now();
        auto bob = through_b ? join_on_b(bob_key, invite->token) : join(bob_key, invite->token);
        ASSERT_TRUE(bob->expect("row-22-of-the-creators-screen", 30s)) << bob->tail();
        (through_b ? via_b : via_a).push_back(seconds_since(t0));
        invitee_command(*bob, "exit");
        ASSERT_TRUE(bob->read_all_until_exit(20s));
    }
    std::sort(via_a.begin(), via_a.end());
    std::sort(via_b.begin(), via_b.end());
    std::printf(
        "[ measure  ] join to full screen, median of 3: %.3f s via the holding node, "
        "%.3f s via the other node\n",
        via_a[1], via_b[1]);

    auto bob = join(bob_key, invite->token);
    auto carol = join_on_b(carol_key, invite->token);
    const auto ready = unique_marker("ready");
    alice->send_line(print_command(ready));
    ASSERT_TRUE(bob->expect(ready, 30s));
    ASSERT_TRUE(carol->expect(ready, 30s));
    // About 6.9 MB of lines, between markers the command line itself does not contain.
    double bob_s = -1, carol_s = -1;
    const auto sent = Clock::now();
    std::thread bob_reader([&] {
        if (bob->wait_for("BULK-END-4", 120s)) bob_s = seconds_since(sent);
    });
    std::thread carol_reader([&] {
        if (carol->wait_for("BULK-END-4", 120s)) carol_s = seconds_since(sent);
    });
    alice->send_line("seq 1 1000000; echo BULK-END-$((2+2))");
    const bool creator_done = alice->expect("BULK-END-4\r\n", 120s);
    const double alice_s = seconds_since(sent);
    bob_reader.join();
    carol_reader.join();
    ASSERT_TRUE(creator_done);
    EXPECT_GT(bob_s, 0);
    EXPECT_GT(carol_s, 0);
    const double mb = 6.89;
    std::printf(
        "[ measure  ] bulk %.2f MB: creator %.2f s (%.1f MB/s); viewer on the holding "
        "node %.2f s (%.1f MB/s); viewer on the other node %.2f s (%.1f MB/s)\n",
        mb, alice_s, mb / alice_s, bob_s, mb / bob_s, carol_s, mb / carol_s);
}

// The links take only the cluster's own certificate: a client with another certificate (a
// second instance's) gets no TLS session, while the same dial with the right one is served.
TEST_F(ClusterJoins, ALinkWithoutTheClusterCertificateIsRefused) {
    const auto other = tmp.subdir("other");
    BastionInstance stranger(other, {}, {"--store.url=" + database_});
    // The stranger's broker has its own certificate but claims to be node c of this cluster.
    auto alice = creator();
    auto invite = share(*alice);
    ASSERT_TRUE(invite);
    for (const char* file : {"invite-signing.pem", "invite-verify.pem"})
        fs::copy_file(bastion->dir() + "/" + file, other + "/" + file,
                      fs::copy_options::overwrite_existing);
    stranger.start_broker({public_url(), "--cluster.node=c",
                           "--cluster.listen=127.0.0.1:" + std::to_string(free_loopback_port())});
    auto refused =
        std::make_unique<PtySession>(stranger.ssh("join", bob_key, invite->token), 80, 24);
    EXPECT_TRUE(refused->expect("reconnecting", 20s) ||
                refused->transcript().find("T_717") != std::string::npos)
        << refused->tail();
    EXPECT_FALSE(alice->saw("bob joined", 0, 3s)) << alice->tail();
    EXPECT_NE(read_file(bastion->log_path()).find("link refused: TLS"), std::string::npos);
    // The positive control: through node b, which holds the certificate, bob gets in.
    auto bob = join_on_b(bob_key, invite->token);
    EXPECT_TRUE(alice->saw("bob joined", 0, 20s)) << alice->tail();
}

}  // namespace
}  // namespace tandem::test
