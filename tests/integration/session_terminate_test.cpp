// tandem-admin terminate (docs/monitoring.md): an administrator ends a live session for its
// creator and every participant, who all see T_320 and the reason; through the broker at once,
// and through the store when the broker is down.
#include <regex>

#include "harness/process.hpp"
#include "harness/sharing_fixture.hpp"

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

using SessionTerminate = SharingTest;

TEST_F(SessionTerminate, EndsTheCreatorAndEveryInviteeWithTheCodeAndReason) {
    auto alice_ssh = creator();
    auto invite = share(*alice_ssh);
    ASSERT_TRUE(invite);
    auto bob = join(bob_key, invite->token);
    auto carol = join(carol_key, invite->token);
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
    // Through the broker it does not wait for the store re-check period.
    std::printf("creator's session ended %.0f ms after tandem-admin terminate returned\n",
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

}  // namespace
}  // namespace tandem::test
