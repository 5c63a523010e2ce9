// tandem-admin terminate (docs/monitoring.md): an administrator ends a live session for its
// creator and every participant, who all see T_320 and the reason; through the broker at once,
// and through the store when the broker is down.
#include <regex>

#include "harness/https_client.hpp"
#include "harness/paths.hpp"
#include "harness/process.hpp"
#include "harness/sharing_fixture.hpp"
#include "harness/web_fixture.hpp"
#include "harness/web_socket_client.hpp"

namespace tandem::test {
namespace {

// The id of the one live session, from `tandem-admin sessions`.
std::string live_session_id(BastionInstance& bastion) {
    for (auto deadline = std::chrono::steady_clock::now() + 20s;
         std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(100ms)) {
        auto r = bastion.admin({"sessions"});
        const std::regex live(
            R"(\blive\b.*\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b)");
        std::smatch m;
        if (std::regex_search(r.out, m, live)) return m[1];
    }
    ADD_FAILURE() << "no live session listed";
    return {};
}

bool saw_reason(PtySession& ssh, const std::string& reason) {
    if (ssh.transcript().find("Reason: " + reason) != std::string::npos) return true;
    ADD_FAILURE() << "the reason was not shown:\n" << ssh.tail();
    return false;
}

// The sharing scene with the broker's web face on, so one invitee can watch from a browser.
class SessionTerminate : public SharingTest {
  protected:
    void SetUp() override {
        SharingTest::SetUp();
        bastion->stop_broker();
        bastion->start_broker_with_web(tmp.subdir("assets"), false);
        set_web_password(*bastion, "bob", bob_password);
    }

    // bob's browser (a WebSocket with his login) joined to the share, past its welcome.
    std::unique_ptr<WebSocketClient> bob_in_browser(const std::string& token) {
        WebClient c(bastion->web_port(), bastion->tls_cert_path());
        const std::string cookie = web_login(c, bastion->web_url(), "bob", bob_password);
        auto socket = std::make_unique<WebSocketClient>(
            bastion->web_port(), bastion->tls_cert_path(),
            HttpHeaders{{"Cookie", login_cookie_name(bastion->web_url()) + "=" + cookie},
                        {"Origin", bastion->web_url()}});
        EXPECT_TRUE(socket->open());
        socket->send({{"type", "join"}, {"token", token}});
        auto welcome = socket->next_text(10s);
        EXPECT_TRUE(welcome && welcome->value("type", "") == "welcome")
            << (welcome ? welcome->dump() : std::string("nothing"));
        return socket;
    }

    const std::string bob_password = "bob's web password";
};

TEST_F(SessionTerminate, EndsTheCreatorAndEveryInviteeWithTheCodeAndReason) {
    auto alice_ssh = creator();
    auto invite = share(*alice_ssh);
    ASSERT_TRUE(invite);
    auto bob_browser = bob_in_browser(invite->token);
    auto bob = join(bob_key, invite->token);
    auto carol = join(carol_key, invite->token);
    ASSERT_TRUE(bob->expect("You joined", 30s)) << bob->tail();  // then output is live
    ASSERT_TRUE(carol->expect("You joined", 30s)) << carol->tail();
    const auto marker = unique_marker("before");
    alice_ssh->send_line(print_command(marker));
    ASSERT_TRUE(bob->expect(marker + "\r\n", 30s)) << bob->tail();
    ASSERT_TRUE(carol->expect(marker + "\r\n", 30s)) << carol->tail();

    const std::string id = live_session_id(*bastion);
    ASSERT_FALSE(id.empty());
    const std::string reason = "maintenance window on web01";
    const auto started = std::chrono::steady_clock::now();
    auto r = bastion->admin({"terminate", id, "--reason", reason});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.out.find("ended now for its creator and every participant"), std::string::npos)
        << r.out;

    EXPECT_TRUE(expect_ended_with(*alice_ssh, ErrorCode::T_320_session_terminated, 15s));
    const auto creator_gone = std::chrono::steady_clock::now() - started;
    EXPECT_TRUE(saw_reason(*alice_ssh, reason));
    for (PtySession* invitee : {bob.get(), carol.get()}) {
        EXPECT_TRUE(expect_ended_with(*invitee, ErrorCode::T_320_session_terminated, 15s));
        EXPECT_TRUE(saw_reason(*invitee, reason));
    }
    // The browser is told the same: an end message with the code and the reason, then a close.
    std::optional<nlohmann::json> end;
    for (auto deadline = std::chrono::steady_clock::now() + 15s;
         !end && std::chrono::steady_clock::now() < deadline;) {
        auto message = bob_browser->next_text(1s);
        if (message && message->value("type", "") == "end") end = message;
    }
    ASSERT_TRUE(end) << "the browser got no end message";
    EXPECT_EQ(end->value("code", ""), "T_320") << end->dump();
    EXPECT_NE(end->value("text", "").find(user_message(ErrorCode::T_320_session_terminated)),
              std::string::npos)
        << end->dump();
    EXPECT_NE(end->value("text", "").find("Reason: " + reason), std::string::npos) << end->dump();
    EXPECT_TRUE(bob_browser->wait_closed(10s));

    // Through the broker it does not wait for the store re-check period.
    std::printf("creator's session ended %.0f ms after tandem-admin terminate started\n",
                std::chrono::duration<double, std::milli>(creator_gone).count());

    // Audited, and the session row says why it ended.
    auto audit = bastion->admin({"audit"});
    EXPECT_NE(audit.out.find("session.terminate"), std::string::npos) << audit.out;
    auto sessions = bastion->admin({"sessions"});
    EXPECT_NE(sessions.out.find("T_320"), std::string::npos) << sessions.out;

    // An ended session cannot be terminated again, and an unknown one is named as such.
    auto again = bastion->admin({"terminate", id});
    EXPECT_EQ(again.exit_code, 1) << again.describe();
    EXPECT_NE(again.err.find("has already ended"), std::string::npos) << again.describe();
    auto unknown = bastion->admin({"terminate", "00000000-0000-4000-8000-000000000000"});
    EXPECT_EQ(unknown.exit_code, 1) << unknown.describe();
    EXPECT_NE(unknown.err.find("no session 00000000-0000-4000-8000-000000000000"),
              std::string::npos)
        << unknown.describe();
    auto bad = bastion->admin({"terminate", id, "--reason", "two\nlines"});
    EXPECT_EQ(bad.exit_code, 2) << bad.describe();
}

TEST_F(SessionTerminate, WithTheBrokerDownTheHookFindsTheOrderInTheStore) {
    auto alice_ssh = creator();
    const std::string id = live_session_id(*bastion);
    ASSERT_FALSE(id.empty());
    bastion->stop_broker();
    const std::string reason = "broker is down but this must stop";
    auto r = bastion->admin({"terminate", id, "--reason", reason});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.out.find("the broker did not answer"), std::string::npos) << r.out;
    EXPECT_TRUE(expect_ended_with(*alice_ssh, ErrorCode::T_320_session_terminated, 20s));
    EXPECT_TRUE(saw_reason(*alice_ssh, reason));
}

// Positive control for the check above: the same session, never ordered ended, keeps running
// with the broker down past several re-check periods.
TEST_F(SessionTerminate, WithoutAnOrderTheSessionRunsOn) {
    auto alice_ssh = creator();
    bastion->stop_broker();
    std::this_thread::sleep_for(5s);
    const auto marker = unique_marker("still-here");
    alice_ssh->send_line(print_command(marker));
    EXPECT_TRUE(alice_ssh->expect(marker + "\r\n", 20s)) << alice_ssh->tail();
}

// tandem-admin watch: an operator sees a session that is not even shared, its creator is told,
// and the view ends with the session.
TEST_F(SessionTerminate, WatchShowsAnUnsharedSessionAnnouncedAndEndsWithIt) {
    auto alice_ssh = creator();
    const auto before = unique_marker("before-watch");
    alice_ssh->send_line(print_command(before));
    ASSERT_TRUE(alice_ssh->expect(before + "\r\n"));
    const std::string id = live_session_id(*bastion);
    ASSERT_FALSE(id.empty());

    const std::string out = bastion->dir() + "/watch.out";
    const pid_t watch = spawn_with_output_files(
        {binary("tandem-admin"), "--config", bastion->config_path(), "watch", id}, out,
        bastion->dir() + "/watch.err");
    // The current screen first (the snapshot), then live output.
    EXPECT_FALSE(await_line_in_file(out, before, watch, 20s).empty()) << read_file(out);
    EXPECT_FALSE(
        alice_ssh->expect_regex(R"(An auditor \([^)]+\) is watching this session)", 20s).empty())
        << alice_ssh->tail();
    const auto live = unique_marker("live-watched");
    alice_ssh->send_line(print_command(live));
    EXPECT_FALSE(await_line_in_file(out, live, watch, 20s).empty()) << read_file(out);

    auto r = bastion->admin({"terminate", id, "--reason", "seen enough"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    int status = -1;
    ASSERT_TRUE(wait_for_exit(watch, 20s, status)) << read_file(out);
    EXPECT_EQ(status, 0);
    EXPECT_NE(read_file(out).find("Reason: seen enough"), std::string::npos) << read_file(out);
    EXPECT_TRUE(expect_ended_with(*alice_ssh, ErrorCode::T_320_session_terminated, 15s));
    auto audit = bastion->admin({"audit"});
    EXPECT_NE(audit.out.find("session.watch"), std::string::npos) << audit.out;
}

TEST_F(SessionTerminate, WatchOfAnEndedOrUnknownSessionIsRefused) {
    auto unknown = bastion->admin({"watch", "00000000-0000-4000-8000-000000000000"});
    EXPECT_EQ(unknown.exit_code, 1) << unknown.describe();
    EXPECT_NE(unknown.err.find("no session"), std::string::npos) << unknown.describe();
    auto usage = bastion->admin({"watch"});
    EXPECT_EQ(usage.exit_code, 2) << usage.describe();
}

}  // namespace
}  // namespace tandem::test
