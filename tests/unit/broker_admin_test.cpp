// The broker's operator side: tandem-admin's `terminate` order on the Unix socket (role admin),
// the Prometheus text of /metrics and the /healthz verdict.
#include <future>

#include "broker_fixture.hpp"
#include "metrics_listener.hpp"
#include "metrics_text.hpp"

namespace tandem::broker {
namespace {

class BrokerAdmin : public BrokerTest {
  protected:
    json order(const json& hello) {
        Client admin(config_.broker_socket);
        admin.send_json(FrameType::hello, hello);
        auto reply = admin.next_json(FrameType::reply);
        admin.next(std::nullopt, 2s);
        EXPECT_TRUE(admin.closed) << "the broker keeps an admin connection open after replying";
        return reply;
    }
    json terminate(const std::string& session, const std::string& reason) {
        return order({{"v", 1},
                      {"role", "admin"},
                      {"cmd", "terminate"},
                      {"user", "root"},
                      {"session", session},
                      {"reason", reason}});
    }
    // Runs f on the broker's loop thread and waits for its result.
    template <class F>
    auto on_loop(F f) {
        std::packaged_task<decltype(f())()> task(f);
        auto result = task.get_future();
        boost::asio::post(io_, [&task] { task(); });
        return result.get();
    }
};

TEST_F(BrokerAdmin, TerminateEndsEveryViewerAndTellsTheHookWithT320AndTheReason) {
    auto session = open_session();
    const auto token = share(*session);
    auto [bob, welcome] = join("bob", token);
    ASSERT_TRUE(welcome.value("ok", false)) << welcome.dump();

    auto reply = terminate("s-1", "change freeze");
    EXPECT_TRUE(reply.value("ok", false)) << reply.dump();

    auto bob_end = bob->next_json(FrameType::end);
    EXPECT_EQ(bob_end.value("code", ""), "T_320") << bob_end.dump();
    EXPECT_NE(bob_end.value("text", "").find(user_message(ErrorCode::T_320_session_terminated)),
              std::string::npos);
    EXPECT_NE(bob_end.value("text", "").find("Reason: change freeze"), std::string::npos);
    auto hook_end = session->next_json(FrameType::end);
    EXPECT_EQ(hook_end.value("code", ""), "T_320") << hook_end.dump();
    EXPECT_EQ(hook_end.value("reason", ""), "change freeze");
    EXPECT_EQ(hook_end.value("by", ""), "root");

    // A late joiner with the same invite hears why, and nobody is admitted.
    auto [late, refusal] = join("dave", token);
    EXPECT_FALSE(refusal.value("ok", true));
    EXPECT_EQ(refusal.value("code", ""), "T_320") << refusal.dump();
    const auto text = on_loop([this] { return metrics_text(ctx_->metrics, *registry_); });
    EXPECT_NE(text.find("tandem_terminations_total{via=\"cli\"} 1\n"), std::string::npos) << text;
}

TEST_F(BrokerAdmin, TerminateOfAnUnknownSessionOrAnUnknownOrderIsRefused) {
    auto session = open_session();
    auto reply = terminate("no-such-session", "x");
    EXPECT_FALSE(reply.value("ok", true));
    EXPECT_EQ(reply.value("code", ""), "T_705");
    auto odd = order({{"v", 1}, {"role", "admin"}, {"cmd", "reboot"}, {"user", "root"}});
    EXPECT_FALSE(odd.value("ok", true));
    // The live session was not touched: its commands still work.
    session->send_json(FrameType::command, {{"id", 3}, {"cmd", "who"}});
    EXPECT_TRUE(session->next_json(FrameType::reply).value("ok", false));
}

TEST_F(BrokerAdmin, MetricsCountLiveStateJoinsAndRefusalsByCode) {
    auto session = open_session();
    const auto token = share(*session);
    auto [bob, welcome] = join("bob", token);
    ASSERT_TRUE(welcome.value("ok", false));
    auto [carol, refused] = join("carol", token);  // carol holds no grant
    EXPECT_EQ(refused.value("code", ""), "T_302");
    session->send(FrameType::output, "hello");
    ASSERT_TRUE(bob->next(FrameType::output));
    const auto text = on_loop([this] { return metrics_text(ctx_->metrics, *registry_); });
    for (const char* line : {
             "tandem_live_sessions 1\n",
             "tandem_shared_sessions 1\n",
             "tandem_viewers{via=\"ssh\"} 1\n",
             "tandem_viewers{via=\"web\"} 0\n",
             "tandem_joins_total{via=\"ssh\"} 1\n",
             "tandem_join_refusals_total{code=\"T_302\"} 1\n",
             "tandem_output_bytes_total 5\n",
             "tandem_viewer_output_bytes_total 5\n",
             "# TYPE tandem_outbox_drops_total counter\n",
         })
        EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
}

TEST_F(BrokerAdmin, HealthzIsFailingWhenOnePartIsAndOnlyTwoPathsAreServed) {
    config_.metrics_listen = "127.0.0.1:0";
    bool store_ok = true;
    MetricsListener listener(
        *ctx_, *registry_,
        {{"store", [&] { return store_ok; }}, {"hook_socket", [] { return true; }}});
    auto healthy = listener.answer("GET", "/healthz");
    EXPECT_EQ(healthy.status, 200);
    EXPECT_EQ(json::parse(healthy.body)["checks"]["store"], "ok");
    store_ok = false;
    auto failing = listener.answer("GET", "/healthz");
    EXPECT_EQ(failing.status, 503);
    EXPECT_EQ(json::parse(failing.body)["status"], "failing");
    EXPECT_EQ(json::parse(failing.body)["checks"]["store"], "failing");
    EXPECT_EQ(json::parse(failing.body)["checks"]["hook_socket"], "ok");
    EXPECT_EQ(listener.answer("GET", "/").status, 404);
    EXPECT_EQ(listener.answer("GET", "/metrics?x=1").status, 404);
    EXPECT_EQ(listener.answer("DELETE", "/metrics").status, 405);
    EXPECT_EQ(listener.answer("GET", "/metrics").content_type,
              "text/plain; version=0.0.4; charset=utf-8");
    listener.stop();
}

TEST_F(BrokerAdmin, MetricsListenRefusesANameItCannotBind) {
    config_.metrics_listen = "not-an-address:9464";
    EXPECT_THROW(MetricsListener(*ctx_, *registry_, {}), TandemError);
}

}  // namespace
}  // namespace tandem::broker
