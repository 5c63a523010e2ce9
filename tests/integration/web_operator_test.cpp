// The web face's Live sessions and Recordings API and the watch WebSocket (docs/web.md): each
// operation refused to a user without the role (attack) and done for one with it (positive
// control) in the same test; an auditor watches but cannot terminate; an admin terminates and
// the creator's ssh ends with T_320 and the reason; admin.announce_watch=false watches silently.
#include <regex>

#include "harness/https_client.hpp"
#include "harness/markers.hpp"
#include "harness/sharing_fixture.hpp"
#include "harness/web_fixture.hpp"
#include "harness/web_socket_client.hpp"

namespace tandem::test {
namespace {

class WebOperator : public SharingTest {
  protected:
    virtual std::vector<std::string> web_overrides() const { return {}; }

    void SetUp() override {
        SharingTest::SetUp();
        bastion->stop_broker();
        bastion->start_broker_with_web(tmp.subdir("assets"), false, web_overrides());
        // bob: a plain user; carol: auditor; dave: admin.
        set_web_password(*bastion, "bob", password);
        set_web_password(*bastion, "carol", password);
        bastion->admin_ok({"user", "set", "carol", "--auditor"});
        bastion->add_user("dave");
        set_web_password(*bastion, "dave", password);
        bastion->admin_ok({"user", "set", "dave", "--admin"});
    }

    WebClient client() const { return WebClient(bastion->web_port(), bastion->tls_cert_path()); }

    HttpHeaders as(const std::string& user) {
        auto c = client();
        const std::string cookie = web_login(c, bastion->web_url(), user, password);
        return {{"Cookie", login_cookie_name(bastion->web_url()) + "=" + cookie},
                {"Origin", bastion->web_url()}};
    }

    // The one live session's id, as GET /api/live lists it to an admin.
    std::string live_id(const HttpHeaders& admin) {
        for (auto deadline = std::chrono::steady_clock::now() + 20s;
             std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(100ms)) {
            auto r = client().get("/api/live", admin);
            auto j = r.json();
            if (r.status == 200 && j["sessions"].size() == 1 && j["sessions"][0]["watchable"])
                return j["sessions"][0]["id"];
        }
        ADD_FAILURE() << "no watchable live session listed";
        return {};
    }

    std::unique_ptr<WebSocketClient> watch(const HttpHeaders& who, const std::string& id,
                                           std::optional<nlohmann::json>& first) {
        auto socket =
            std::make_unique<WebSocketClient>(bastion->web_port(), bastion->tls_cert_path(), who);
        EXPECT_TRUE(socket->open());
        socket->send({{"type", "watch"}, {"session", id}});
        first = socket->next_text(10s);
        return socket;
    }

    const std::string password = "operator test password";
};

TEST_F(WebOperator, OnlyAdminsAndAuditorsListAndWatch) {
    auto alice_ssh = creator();
    const auto bob = as("bob");
    const auto carol = as("carol");
    const auto dave = as("dave");
    const std::string id = live_id(dave);
    ASSERT_FALSE(id.empty());

    // Attack: a plain user (who even holds a grant on the account) asks for every operation.
    auto listing = client().get("/api/live", bob);
    EXPECT_EQ(listing.status, 403) << listing.describe();
    EXPECT_EQ(listing.json().value("code", ""), "T_230") << listing.describe();
    EXPECT_EQ(listing.body.find(id), std::string::npos) << listing.describe();
    EXPECT_EQ(client().get("/api/recordings", bob).status, 403);
    std::optional<nlohmann::json> refused;
    auto bob_socket = watch(bob, id, refused);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->value("type", ""), "refused") << refused->dump();
    EXPECT_EQ(refused->value("code", ""), "T_230") << refused->dump();
    EXPECT_TRUE(bob_socket->wait_closed(10s));

    // Positive control: the auditor lists and watches the same session, is announced, and sees
    // the creator's output; her keystrokes and commands reach nothing.
    auto listed = client().get("/api/live", carol);
    ASSERT_EQ(listed.status, 200) << listed.describe();
    EXPECT_EQ(listed.json()["sessions"][0]["id"], id);
    EXPECT_EQ(listed.json()["roles"]["auditor"], true);
    EXPECT_EQ(listed.json()["roles"]["admin"], false);
    std::optional<nlohmann::json> welcome;
    auto carol_socket = watch(carol, id, welcome);
    ASSERT_TRUE(welcome);
    EXPECT_EQ(welcome->value("type", ""), "watching") << welcome->dump();
    EXPECT_EQ(welcome->value("announced", false), true) << welcome->dump();
    EXPECT_FALSE(
        alice_ssh->expect_regex(R"(An auditor \(carol\) is watching this session)", 20s).empty())
        << alice_ssh->tail();
    carol_socket->send({{"type", "input"}, {"data", "echo carol-typed\r"}});
    carol_socket->send({{"type", "control"}, {"id", 1}});
    const auto marker = unique_marker("watched");
    alice_ssh->send_line(print_command(marker));
    EXPECT_TRUE(carol_socket->wait_terminal(marker, 20s)) << "the watcher did not see it";
    EXPECT_EQ(alice_ssh->transcript().find("carol-typed"), std::string::npos) << alice_ssh->tail();

    // Disabling the auditor takes the role away at once.
    bastion->admin_ok({"user", "disable", "carol"});
    EXPECT_NE(client().get("/api/live", carol).status, 200);
}

TEST_F(WebOperator, AnAuditorCannotTerminateAnAdminCan) {
    auto alice_ssh = creator();
    const auto bob = as("bob");
    const auto carol = as("carol");
    const auto dave = as("dave");
    const std::string id = live_id(dave);
    ASSERT_FALSE(id.empty());
    const nlohmann::json order = {{"session", id}, {"reason", "audit finding 42"}};

    // Attack: the plain user and the auditor each try to end it.
    auto by_bob = client().post_json("/api/live/terminate", order, bob);
    EXPECT_EQ(by_bob.status, 403) << by_bob.describe();
    EXPECT_EQ(by_bob.json().value("code", ""), "T_230") << by_bob.describe();
    auto by_carol = client().post_json("/api/live/terminate", order, carol);
    EXPECT_EQ(by_carol.status, 403) << by_carol.describe();
    EXPECT_EQ(by_carol.json().value("code", ""), "T_231") << by_carol.describe();
    std::this_thread::sleep_for(3s);  // past a store re-check: no order may have been written
    const auto alive = unique_marker("still-alive");
    alice_ssh->send_line(print_command(alive));
    ASSERT_TRUE(alice_ssh->expect(alive + "\r\n", 20s)) << alice_ssh->tail();

    // Positive control: the admin ends it; the creator and a watcher see T_320 and the reason.
    std::optional<nlohmann::json> welcome;
    auto watcher = watch(carol, id, welcome);
    ASSERT_TRUE(welcome && welcome->value("type", "") == "watching");
    auto by_dave = client().post_json("/api/live/terminate", order, dave);
    ASSERT_EQ(by_dave.status, 200) << by_dave.describe();
    EXPECT_EQ(by_dave.json().value("ended_now", false), true) << by_dave.describe();
    EXPECT_TRUE(expect_ended_with(*alice_ssh, ErrorCode::T_320_session_terminated, 15s));
    EXPECT_NE(alice_ssh->transcript().find("Reason: audit finding 42"), std::string::npos)
        << alice_ssh->tail();
    std::optional<nlohmann::json> end;
    for (auto deadline = std::chrono::steady_clock::now() + 15s;
         !end && std::chrono::steady_clock::now() < deadline;) {
        auto message = watcher->next_text(1s);
        if (message && message->value("type", "") == "end") end = message;
    }
    ASSERT_TRUE(end) << "the watcher got no end";
    EXPECT_EQ(end->value("code", ""), "T_320");
    EXPECT_NE(end->value("text", "").find("Reason: audit finding 42"), std::string::npos);
    auto audit = bastion->admin({"audit", "--event", "session.terminate"});
    EXPECT_NE(audit.out.find("dave"), std::string::npos) << audit.out;
}

TEST_F(WebOperator, RecordingsAreServedOnlyFromTheStoreToOperators) {
    {
        auto alice_ssh = creator();
        const auto marker = unique_marker("recorded");
        alice_ssh->send_line(print_command(marker));
        ASSERT_TRUE(alice_ssh->expect(marker + "\r\n", 20s));
        alice_ssh->send_line("exit");
        EXPECT_TRUE(alice_ssh->wait_exit(20s)) << alice_ssh->tail();
    }
    const auto bob = as("bob");
    const auto carol = as("carol");
    std::string id;
    for (auto deadline = std::chrono::steady_clock::now() + 20s;
         id.empty() && std::chrono::steady_clock::now() < deadline;
         std::this_thread::sleep_for(100ms)) {
        auto r = client().get("/api/recordings", carol);
        ASSERT_EQ(r.status, 200) << r.describe();
        if (!r.json()["sessions"].empty()) id = r.json()["sessions"][0]["id"];
    }
    ASSERT_FALSE(id.empty());
    // Attack: a plain user asks for it; anyone asks for a path instead of a session id.
    auto by_bob = client().get("/api/recording?session=" + id, bob);
    EXPECT_EQ(by_bob.status, 403) << by_bob.describe();
    EXPECT_EQ(by_bob.body.find("recorded"), std::string::npos);
    for (const std::string bad : {"../../tandem.conf", "..%2F..%2Ftandem.conf", "",
                                  "00000000-0000-4000-8000-000000000000"}) {
        auto r = client().get("/api/recording?session=" + bad, carol);
        EXPECT_EQ(r.status, 404) << bad << ": " << r.describe();
        EXPECT_EQ(r.json().value("code", ""), "T_232") << r.describe();
    }
    // Positive control: the auditor gets the asciicast, header first.
    auto r = client().get("/api/recording?session=" + id, carol);
    ASSERT_EQ(r.status, 200) << r.describe();
    EXPECT_NE(r.body.find("\"version\": 2"), std::string::npos) << r.body.substr(0, 200);
    EXPECT_NE(r.body.find("recorded"), std::string::npos);
}

class WebOperatorSilent : public WebOperator {
  protected:
    std::vector<std::string> web_overrides() const override {
        return {"--admin.announce_watch=false"};
    }
};

TEST_F(WebOperatorSilent, ASilentWatchIsNotAnnouncedButAudited) {
    auto alice_ssh = creator();
    const auto dave = as("dave");
    const std::string id = live_id(dave);
    ASSERT_FALSE(id.empty());
    std::optional<nlohmann::json> welcome;
    auto socket = watch(dave, id, welcome);
    ASSERT_TRUE(welcome && welcome->value("type", "") == "watching");
    EXPECT_EQ(welcome->value("announced", true), false);
    const auto marker = unique_marker("silent");
    alice_ssh->send_line(print_command(marker));
    EXPECT_TRUE(socket->wait_terminal(marker, 20s));
    EXPECT_EQ(alice_ssh->transcript().find("is watching"), std::string::npos) << alice_ssh->tail();
    auto audit = bastion->admin({"audit", "--event", "session.watch"});
    EXPECT_NE(audit.out.find("silent"), std::string::npos) << audit.out;
}

}  // namespace
}  // namespace tandem::test
