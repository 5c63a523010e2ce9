// The broker and `tandem-admin`: a disabled user loses a share and cannot join one (the attack,
// beside a still-enabled participant on the same path), and the share, its participants and
// its controller reach the store for `tandem-admin sessions --live`.
#include "broker_fixture.hpp"

namespace tandem::broker {
namespace {

class BrokerDisableTest : public BrokerTest {
  protected:
    // The session as tandem-shell records it before it registers with the broker.
    void record_session() {
        Store hook = Store::open_existing(config_.store_path);
        SessionRecord r;
        r.uuid = "s-1";
        r.user_id = hook.find_user("alice")->id;
        r.account_id = hook.find_account("root", "web01")->id;
        hook.begin_session(r);
    }
    LiveSessionRecord live_row() {
        Store reader = Store::open_existing(config_.store_path);
        auto rows = reader.list_live_sessions();
        EXPECT_EQ(rows.size(), 1u);
        return rows.empty() ? LiveSessionRecord{} : rows.front();
    }
    void recheck() {
        boost::asio::post(io_, [this] { registry_->recheck_grants(); });
    }
};

TEST_F(BrokerDisableTest, ADisabledInviteeIsPutOutAndCannotJoinAgain) {
    auto session = open_session();
    auto token = share(*session);
    auto [bob, w1] = join("bob", token);
    auto [dave, w2] = join("dave", token);
    ASSERT_TRUE(w1.value("ok", false));
    ASSERT_TRUE(w2.value("ok", false));
    Store admin = Store::open_existing(config_.store_path);
    admin.set_user_disabled("bob", true);
    recheck();
    EXPECT_EQ(bob->next_json(FrameType::end)["code"], "T_708");
    // The attack: bob, with a valid invite, joins again.
    auto [again, refused] = join("bob", token);
    EXPECT_FALSE(refused.value("ok", true));
    EXPECT_EQ(refused["code"], "T_209");
    // Positive control: dave, enabled, still watches; bob, enabled again, joins.
    session->send(FrameType::output, "dave still sees this");
    std::optional<Frame> out;
    do out = dave->next(FrameType::output);
    while (out && out->payload.find("dave still sees this") == std::string::npos);
    EXPECT_TRUE(out);
    admin.set_user_disabled("bob", false);
    auto [back, welcome] = join("bob", token);
    EXPECT_TRUE(welcome.value("ok", false)) << welcome.dump();
}

TEST_F(BrokerDisableTest, ADisabledCreatorLosesTheShare) {
    auto session = open_session();
    auto token = share(*session);
    auto [bob, w] = join("bob", token);
    ASSERT_TRUE(w.value("ok", false));
    Store admin = Store::open_existing(config_.store_path);
    admin.set_user_disabled("alice", true);
    recheck();
    EXPECT_EQ(bob->next_json(FrameType::end)["code"], "T_708");
    session->send_json(FrameType::command, {{"id", 9}, {"cmd", "share"}});
    auto reply = session->next_json(FrameType::reply);
    while (!reply.is_null() && reply.value("id", 0) != 9)
        reply = session->next_json(FrameType::reply);
    EXPECT_EQ(reply["code"], "T_302");
    // Positive control: enabled again, the creator shares.
    admin.set_user_disabled("alice", false);
    EXPECT_FALSE(share(*session).empty());
}

TEST_F(BrokerDisableTest, TheShareItsParticipantsAndTheControllerReachTheStore) {
    record_session();
    auto session = open_session();
    EXPECT_FALSE(live_row().sharing.shared);
    auto token = share(*session);
    EXPECT_TRUE(live_row().sharing.shared);
    EXPECT_EQ(live_row().sharing.controller, "alice");
    auto [bob, w] = join("bob", token);
    ASSERT_TRUE(w.value("ok", false));
    auto row = live_row();
    ASSERT_EQ(row.sharing.participants.size(), 1u);
    EXPECT_EQ(row.sharing.participants[0].user_name, "bob");
    EXPECT_EQ(row.sharing.participants[0].via, "ssh");
    EXPECT_EQ(row.sharing.participants[0].client, "127.0.0.1");

    // bob takes control; the store follows.
    bob->send_json(FrameType::command, {{"id", 1}, {"cmd", "control"}});
    EXPECT_TRUE(bob->next_json(FrameType::reply)["ok"].get<bool>());
    json request;
    do request = session->next_json(FrameType::notice);
    while (!request.is_null() && request["event"] != "request");
    session->send_json(FrameType::command, {{"id", 4}, {"cmd", "agree"}});
    json reply;
    do reply = session->next_json(FrameType::reply);
    while (!reply.is_null() && reply.value("id", 0) != 4);
    EXPECT_TRUE(reply.value("ok", false)) << reply.dump();
    EXPECT_EQ(live_row().sharing.controller, "bob");

    session->send_json(FrameType::command, {{"id", 5}, {"cmd", "unshare"}});
    EXPECT_EQ(bob->next_json(FrameType::end)["code"], "T_704");
    for (int i = 0; i < 50 && live_row().sharing.shared; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    row = live_row();
    EXPECT_FALSE(row.sharing.shared);
    EXPECT_TRUE(row.sharing.participants.empty());
}

}  // namespace
}  // namespace tandem::broker
