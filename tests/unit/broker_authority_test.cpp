// Who may do what in a shared session, attacked over the broker's real socket and WebSockets:
// only the creator answers requests for control, and a creator who loses the grant loses the
// share. Each attack sits beside its positive control (the legitimate party on the same path).
#include "web_viewer_fixture.hpp"

namespace tandem::broker {
namespace {

// bob is agreed into control, then dave applies: bob, in control, tries to answer for the creator.
class ControlAnswerTest : public WebViewerTest {
  protected:
    // Puts `invitee` in control with the creator's agreement.
    void agree_in(Client& session, const std::function<void()>& apply) {
        apply();
        json request;
        do request = session.next_json(FrameType::notice);
        while (!request.is_null() && request["event"] != "request");
        session.send_json(FrameType::command, {{"id", 50}, {"cmd", "agree"}});
        ASSERT_TRUE(session.next_json(FrameType::reply)["ok"].get<bool>());
    }
};

TEST_F(ControlAnswerTest, AnInviteeInControlCannotAgreeOverSsh) {
    auto session = open_session();
    auto token = share(*session);
    auto [bob, w1] = join("bob", token);
    auto [dave, w2] = join("dave", token);
    ASSERT_TRUE(w1.value("ok", false));
    ASSERT_TRUE(w2.value("ok", false));
    agree_in(*session, [&] {
        bob->send_json(FrameType::command, {{"id", 1}, {"cmd", "control"}});
        EXPECT_TRUE(bob->next_json(FrameType::reply)["ok"].get<bool>());
    });
    dave->send_json(FrameType::command, {{"id", 2}, {"cmd", "control"}});
    EXPECT_TRUE(dave->next_json(FrameType::reply)["ok"].get<bool>());

    // The attack: bob, in control, agrees to dave's request himself.
    bob->send_json(FrameType::command, {{"id", 3}, {"cmd", "agree"}});
    auto answer = bob->next_json(FrameType::reply);
    EXPECT_FALSE(answer["ok"].get<bool>());
    EXPECT_EQ(answer["code"], "T_711");
    bob->send_json(FrameType::command, {{"id", 4}, {"cmd", "refuse"}});
    EXPECT_EQ(bob->next_json(FrameType::reply)["code"], "T_711");
    dave->send(FrameType::input, "canary-from-dave\r");
    bob->send(FrameType::input, "typed-by-bob\r");
    auto input = session->next(FrameType::input);
    ASSERT_TRUE(input);
    EXPECT_EQ(input->payload, "typed-by-bob\r") << "dave got control without the creator";

    // Positive control: the creator agrees, and now dave's keystrokes reach the host.
    session->send_json(FrameType::command, {{"id", 5}, {"cmd", "agree"}});
    EXPECT_TRUE(session->next_json(FrameType::reply)["ok"].get<bool>());
    dave->send(FrameType::input, "typed-by-dave\r");
    input = session->next(FrameType::input);
    ASSERT_TRUE(input);
    EXPECT_EQ(input->payload, "typed-by-dave\r");
}

TEST_F(ControlAnswerTest, AnInviteeInControlCannotAgreeOverAWebSocket) {
    auto session = open_session();
    auto token = share(*session);
    auto bob = enter("bob", token);
    auto dave = enter("dave", token);
    agree_in(*session, [&] {
        bob->send({{"type", "control"}, {"id", 1}});
        EXPECT_TRUE(bob->next_text("reply")["ok"].get<bool>());
    });
    EXPECT_TRUE(bob->next_notice("control")["you"].get<bool>());
    dave->send({{"type", "control"}, {"id", 2}});
    EXPECT_TRUE(dave->next_text("reply")["ok"].get<bool>());
    // bob, in control, is told of the request, and that the creator decides.
    auto told = bob->next_notice("request");
    EXPECT_EQ(told["user"], "dave");

    bob->send({{"type", "agree"}, {"id", 3}});  // the attack
    auto answer = bob->next_text("reply");
    EXPECT_EQ(answer["id"], 3);
    EXPECT_FALSE(answer["ok"].get<bool>());
    EXPECT_EQ(answer["code"], "T_711");
    dave->send({{"type", "input"}, {"data", "canary-from-dave\r"}});
    bob->send({{"type", "input"}, {"data", "typed-by-bob\r"}});
    auto input = session->next(FrameType::input);
    ASSERT_TRUE(input);
    EXPECT_EQ(input->payload, "typed-by-bob\r") << "dave got control without the creator";

    session->send_json(FrameType::command, {{"id", 4}, {"cmd", "agree"}});  // positive control
    EXPECT_TRUE(session->next_json(FrameType::reply)["ok"].get<bool>());
    EXPECT_TRUE(dave->next_notice("control")["you"].get<bool>());
    dave->send({{"type", "input"}, {"data", "typed-by-dave\r"}});
    input = session->next(FrameType::input);
    ASSERT_TRUE(input);
    EXPECT_EQ(input->payload, "typed-by-dave\r");
}

class CreatorGrantTest : public BrokerTest {};

TEST_F(CreatorGrantTest, ACreatorWhoLosesTheGrantLosesTheShare) {
    auto session = open_session();
    auto token = share(*session);
    auto [bob, w] = join("bob", token);
    ASSERT_TRUE(w.value("ok", false));
    Store admin = Store::open_existing(config_.store_path);
    const auto account = admin.find_account("root", "web01")->id;
    admin.revoke(admin.find_user("alice")->id, account);
    boost::asio::post(io_, [this] { registry_->recheck_grants(); });

    // Every invitee is out with T_708, and the creator hears the share ended.
    auto end = bob->next_json(FrameType::end);
    EXPECT_EQ(end["code"], "T_708");
    json notice;
    do notice = session->next_json(FrameType::notice);
    while (!notice.is_null() && notice["event"] != "control");
    EXPECT_NE(notice.value("text", "").find("Sharing ended"), std::string::npos);
    // The URL is dead and a new share is refused.
    EXPECT_FALSE(join("dave", token).second.value("ok", true));
    session->send_json(FrameType::command, {{"id", 9}, {"cmd", "share"}});
    auto refused = session->next_json(FrameType::reply);
    EXPECT_FALSE(refused.value("ok", true));
    EXPECT_EQ(refused["code"], "T_302");

    // Positive control: granted again, the same creator shares and bob joins.
    admin.grant(admin.find_user("alice")->id, account);
    auto again = share(*session);
    auto [bob_again, w2] = join("bob", again);
    EXPECT_TRUE(w2.value("ok", false)) << w2.dump();
}

TEST_F(CreatorGrantTest, TheGrantRecheckLeavesAGrantedCreatorsShareAlone) {
    auto session = open_session();
    auto [bob, w] = join("bob", share(*session));
    ASSERT_TRUE(w.value("ok", false));
    boost::asio::post(io_, [this] { registry_->recheck_grants(); });
    session->send(FrameType::output, "still shared");
    auto out = bob->next(FrameType::output);
    ASSERT_TRUE(out);
    EXPECT_EQ(out->payload, "still shared");
}

}  // namespace
}  // namespace tandem::broker
