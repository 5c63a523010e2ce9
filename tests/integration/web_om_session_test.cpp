// Web O&M sessions over the real web face (the browser tests drive the same through the pages):
// LogIn starts the session hook on the broker's PTY, the page's WebSocket attaches and types;
// the creator's sharing commands go through the same broker as an SSH creator's; only the
// login that opened a session can attach to it; a user's sessions are capped.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "harness/sharing_fixture.hpp"
#include "harness/web_fixture.hpp"
#include "tandem/errors.hpp"

namespace tandem::test {
namespace {

using namespace std::chrono_literals;

class WebOmTest : public SharingTest {
  protected:
    void SetUp() override {
        SharingTest::SetUp();
        bastion->stop_broker();  // the same broker, now with its web face
        bastion->start_broker_with_web(tmp.subdir("assets"), false, web_overrides());
        set_web_password(*bastion, "alice", alice_password);
        set_web_password(*bastion, "bob", bob_password);
        bastion->add_user("dave");  // no grant on the account
        set_web_password(*bastion, "dave", "dave's web password");
    }
    virtual std::vector<std::string> web_overrides() const { return {}; }

    WebClient web() const { return WebClient(bastion->web_port(), bastion->tls_cert_path()); }
    std::string login(const std::string& user, const std::string& password) {
        auto c = web();
        return web_login(c, bastion->web_url(), user, password);
    }
    HttpHeaders headers(const std::string& cookie) const {
        return {{"Cookie", login_cookie_name(bastion->web_url()) + "=" + cookie},
                {"Origin", bastion->web_url()}};
    }
    // LogIn: the reply of POST /api/sessions.
    nlohmann::json log_in_to_account(const std::string& cookie, int cols = 100, int rows = 30) {
        auto c = web();
        auto r =
            c.post_json("/api/sessions", {{"account", account}, {"cols", cols}, {"rows", rows}},
                        headers(cookie));
        EXPECT_EQ(r.status, 200) << r.describe();
        return r.json();
    }
    WebSocketClient page(const std::string& cookie) const {
        return WebSocketClient(bastion->web_port(), bastion->tls_cert_path(), headers(cookie));
    }
    // A page attached to the session; fails the test unless accepted.
    WebSocketClient attached(const std::string& cookie, const std::string& session) {
        auto socket = page(cookie);
        EXPECT_TRUE(socket.open()) << socket.refusal().describe();
        socket.send({{"type", "attach"}, {"session", session}});
        auto first = socket.next_text(10s);
        EXPECT_TRUE(first && first->value("type", "") == "attached")
            << (first ? first->dump() : std::string("nothing"));
        return socket;
    }
    // The next state notice (the sharing panel's), skipping other messages.
    std::optional<nlohmann::json> next_state(
        WebSocketClient& socket, const std::function<bool(const nlohmann::json&)>& want) {
        // Generous: on a loaded two-core CI machine a hook's start can take seconds.
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (std::chrono::steady_clock::now() < deadline) {
            auto m = socket.next_text(1s);
            if (m && m->value("event", "") == "state" && want(*m)) return m;
        }
        return std::nullopt;
    }

    // The session's tandem-shell, from its "session start" line in the log.
    pid_t shell_pid(const std::string& session) const {
        std::ifstream log(bastion->log_path());
        const std::string tag = "tandem-shell[";
        for (std::string line; std::getline(log, line);) {
            const auto at = line.find(tag);
            if (at == std::string::npos || line.find("session start:") == std::string::npos ||
                line.find("uuid=" + session) == std::string::npos)
                continue;
            return static_cast<pid_t>(std::atoi(line.c_str() + at + tag.size()));
        }
        return -1;
    }

    const std::string alice_password = "alice's web password";
    const std::string bob_password = "bob's web password";
};

TEST_F(WebOmTest, LogInTypesToTheHostAtThePagesSizeAndOnlyThatLoginAttaches) {
    const std::string alice = login("alice", alice_password);
    const auto opened = log_in_to_account(alice);
    ASSERT_TRUE(opened.value("ok", false)) << opened.dump();
    const std::string id = opened.value("session", "");

    auto creator = attached(alice, id);
    creator.send({{"type", "input"}, {"data", "stty size; echo web-$((6*7))\r"}});
    EXPECT_TRUE(creator.wait_terminal("web-42", 30s)) << creator.terminal();
    EXPECT_NE(creator.terminal().find("30 100"), std::string::npos) << creator.terminal();
    // The page's window size drives the host's terminal.
    creator.send({{"type", "resize"}, {"cols", 90}, {"rows", 20}});
    std::this_thread::sleep_for(300ms);
    creator.send({{"type", "input"}, {"data", "stty size\r"}});
    EXPECT_TRUE(creator.wait_terminal("20 90", 10s)) << creator.terminal();

    // Attacks: bob (another user), and alice herself from another login, name the session.
    for (const auto& [who, cookie] : {std::pair{"bob", login("bob", bob_password)},
                                      {"alice again", login("alice", alice_password)}}) {
        auto intruder = page(cookie);
        ASSERT_TRUE(intruder.open()) << who;
        intruder.send({{"type", "attach"}, {"session", id}});
        intruder.send({{"type", "input"}, {"data", "echo intruder-$((7*6))\r"}});
        auto refused = intruder.next_text(10s);
        ASSERT_TRUE(refused) << who;
        EXPECT_EQ(refused->value("type", ""), "refused") << who << refused->dump();
        EXPECT_EQ(refused->value("code", ""), "T_220") << who;
        auto closed = intruder.wait_closed(5s);
        ASSERT_TRUE(closed) << who;
        EXPECT_EQ(closed->code, 1008) << who;
        EXPECT_TRUE(intruder.terminal().empty()) << who << " got terminal bytes";
    }
    creator.send({{"type", "input"}, {"data", "echo still-$((5*5))\r"}});
    EXPECT_TRUE(creator.wait_terminal("still-25", 10s));
    EXPECT_EQ(creator.terminal().find("intruder-42"), std::string::npos) << creator.terminal();

    // Positive control: the same login's new page (a reload) takes the session over, screen
    // included, and the old page is told.
    auto reloaded = attached(alice, id);
    EXPECT_TRUE(reloaded.wait_terminal("still-25", 10s)) << reloaded.terminal();
    auto replaced = creator.next_text(5s);
    while (replaced && replaced->value("type", "") != "end") replaced = creator.next_text(5s);
    ASSERT_TRUE(replaced);
    EXPECT_EQ(replaced->value("reason", ""), "replaced");

    // The audit says how the session came, and from where.
    const auto audit = bastion->admin_ok({"audit"});
    EXPECT_NE(audit.out.find("via=web client=web 127.0.0.1"), std::string::npos) << audit.out;

    // Exit session: the reply, then the end, and the session is gone from Host Ops.
    reloaded.send({{"type", "exit"}, {"id", 1}});
    auto reply = reloaded.next_text(10s);
    while (reply && reply->value("type", "") != "reply") reply = reloaded.next_text(10s);
    ASSERT_TRUE(reply);
    EXPECT_TRUE(reply->value("ok", false)) << reply->dump();
    auto end = reloaded.next_text(15s);
    while (end && end->value("type", "") != "end") end = reloaded.next_text(15s);
    ASSERT_TRUE(end);
    EXPECT_TRUE(reloaded.wait_closed(5s));
    auto c = web();
    auto hosts = c.get("/api/hosts", headers(alice));
    ASSERT_EQ(hosts.status, 200) << hosts.describe();
    ASSERT_EQ(hosts.json()["accounts"].size(), 1u) << hosts.describe();
    EXPECT_TRUE(hosts.json()["accounts"][0]["sessions"].empty()) << hosts.describe();
}

TEST_F(WebOmTest, TheWebCreatorSharesAgreesAndCancelsAsAnSshCreatorDoes) {
    const std::string alice = login("alice", alice_password);
    const std::string id = log_in_to_account(alice, 80, 24).value("session", "");
    auto creator = attached(alice, id);
    ASSERT_TRUE(next_state(creator, [](const auto& s) { return s.value("ready", false); }))
        << "the hook never registered";
    creator.send({{"type", "share"}, {"id", 7}});
    std::optional<nlohmann::json> invite;
    for (int i = 0; i < 20 && !(invite && invite->value("type", "") == "reply"); ++i)
        invite = creator.next_text(2s);
    ASSERT_TRUE(invite && invite->value("ok", false)) << (invite ? invite->dump() : "nothing");
    const std::string token = invite->value("token", "");
    EXPECT_EQ(invite->value("ssh", ""),
              "ssh -p " + std::to_string(bastion->port()) + " join@127.0.0.1 " + token);

    // bob joins from a browser, applies; the creator's page hears it and agrees.
    auto bob = page(login("bob", bob_password));
    bob.send({{"type", "join"}, {"token", token}});
    auto welcome = bob.next_text(20s);
    ASSERT_TRUE(welcome && welcome->value("type", "") == "welcome")
        << (welcome ? welcome->dump() : "nothing");
    bob.send({{"type", "control"}});
    ASSERT_TRUE(next_state(creator, [](const auto& s) { return s["pending"] == "bob"; }))
        << "the creator never heard bob apply";
    creator.send({{"type", "agree"}});
    ASSERT_TRUE(
        next_state(creator, [](const auto& s) { return s.value("controller", "") == "bob"; }));
    const std::string marker = tmp / "typed-by-bob";
    std::this_thread::sleep_for(200ms);
    bob.send({{"type", "input"}, {"data", "touch " + marker + "\r"}});
    bool typed = false;
    for (int i = 0; i < 200 && !typed; ++i) {
        std::this_thread::sleep_for(100ms);
        typed = std::filesystem::exists(marker);
    }
    EXPECT_TRUE(typed) << "bob's keys never reached the host";

    // Cancel share: bob is out with T_704, the creator's session goes on. The creator types as
    // soon as the page hears it, while the hook is held still (as a busy machine may hold it):
    // "control is back" (on the broker's socket) and the keys (on the PTY) then wait together,
    // and the keys must not be judged by the control that was.
    const pid_t hook = shell_pid(id);
    ASSERT_GT(hook, 0) << "no tandem-shell for the session in the log";
    ASSERT_EQ(::kill(hook, SIGSTOP), 0);
    creator.send({{"type", "unshare"}});
    std::optional<nlohmann::json> end;
    for (int i = 0; i < 30 && !(end && end->value("type", "") == "end"); ++i)
        end = bob.next_text(1s);
    const bool stopped_share = end.has_value();
    const bool page_told =
        next_state(creator, [](const auto& s) { return !s.value("shared", true); }).has_value();
    creator.send({{"type", "input"}, {"data", "echo after-$((3*3))\r"}});
    std::this_thread::sleep_for(300ms);
    ::kill(hook, SIGCONT);
    ASSERT_TRUE(stopped_share);
    EXPECT_EQ(end->value("code", ""), "T_704");
    ASSERT_TRUE(page_told);
    EXPECT_TRUE(creator.wait_terminal("after-9", 20s)) << creator.terminal();
    EXPECT_EQ(creator.terminal().find("controls the session"), std::string::npos)
        << creator.terminal();
}

class WebOmCapTest : public WebOmTest {
  protected:
    std::vector<std::string> web_overrides() const override {
        return {"--web.max_om_sessions_per_user=1"};
    }
};

TEST_F(WebOmCapTest, AUserPastTheCapIsRefusedAndAUserWithoutTheGrantIsRefused) {
    const std::string alice = login("alice", alice_password);
    const auto first = log_in_to_account(alice);
    ASSERT_TRUE(first.value("ok", false)) << first.dump();
    const auto second = log_in_to_account(alice);
    EXPECT_FALSE(second.value("ok", true));
    EXPECT_EQ(second.value("code", ""), "T_221");
    EXPECT_EQ(second.value("text", ""), user_message(ErrorCode::T_221_too_many_web_sessions));

    // dave holds no grant: refused before any process starts.
    const auto dave = log_in_to_account(login("dave", "dave's web password"));
    EXPECT_EQ(dave.value("code", ""), "T_302") << dave.dump();
    // A request from another origin never opens one.
    auto c = web();
    auto forged = c.post_json("/api/sessions", {{"account", account}},
                              {{"Cookie", login_cookie_name(bastion->web_url()) + "=" + alice},
                               {"Origin", "https://evil.example"}});
    EXPECT_EQ(forged.status, 403);

    // Positive control: once alice ends hers, she may open another.
    auto creator = attached(alice, first.value("session", ""));
    creator.send({{"type", "exit"}});
    EXPECT_TRUE(creator.wait_closed(20s));
    nlohmann::json again = nlohmann::json::object();
    for (int i = 0; i < 50 && !again.value("ok", false); ++i) {
        if (i) std::this_thread::sleep_for(100ms);
        again = log_in_to_account(alice);
    }
    EXPECT_TRUE(again.value("ok", false)) << again.dump();
}

}  // namespace
}  // namespace tandem::test
