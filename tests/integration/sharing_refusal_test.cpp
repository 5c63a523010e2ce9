// Joins that must be refused, each with its own code and sentence (a valid invite and a grant are
// both needed; docs/sharing.md): an expired invite (T_703), a tampered or made-up token (T_702),
// the join login without a token (T_305), an unregistered key (T_201), and one joiner too many
// (T_706). Nobody refused ever sees the creator's screen. A person without a grant (T_302) is
// refused under both front ends in front_end_sharing_test.cpp.
#include <thread>

#include "harness/sharing_fixture.hpp"

namespace tandem::test {
namespace {

using SharingRefusal = SharingTest;

// alice's session, shared, with a marker on screen that refused joiners must never see.
struct Shared {
    std::unique_ptr<PtySession> alice;
    std::string token;
    std::string secret;
};

Shared shared_session(std::unique_ptr<PtySession> alice, const std::string& ttl = {}) {
    Shared s{std::move(alice), {}, unique_marker("on-alices-screen")};
    s.alice->send_line(print_command(s.secret));
    EXPECT_TRUE(s.alice->expect(s.secret + "\r\n"));
    auto invite = share(*s.alice, ttl);
    EXPECT_TRUE(invite);
    if (invite) s.token = invite->token;
    return s;
}

void expect_refused(PtySession& joiner, ErrorCode code, const std::string& secret) {
    EXPECT_TRUE(expect_ended_with(joiner, code));
    EXPECT_EQ(joiner.transcript().find(secret), std::string::npos)
        << "a refused joiner saw the creator's screen";
}

// Flips one character of a token part (0 header, 1 payload, 2 signature) to another base64url
// character, keeping the token well-formed.
std::string tamper(const std::string& token, int part) {
    std::string t = token;
    std::size_t start = 0;
    for (int i = 0; i < part; ++i) start = t.find('.', start) + 1;
    std::size_t end = t.find('.', start);
    if (end == std::string::npos) end = t.size();
    std::size_t at = start + (end - start) / 2;
    t[at] = t[at] == 'A' ? 'B' : 'A';
    return t;
}

TEST_F(SharingRefusal, TamperedOrMadeUpTokensAreRefusedWithT702) {
    auto s = shared_session(creator());
    ASSERT_FALSE(s.token.empty());
    for (int part = 0; part < 3; ++part) {
        SCOPED_TRACE("tampered part " + std::to_string(part));
        auto bob = join(bob_key, tamper(s.token, part));
        expect_refused(*bob, ErrorCode::T_702_invite_invalid, s.secret);
    }
    // Dropped signature, an `alg: none` token, and not a token at all.
    const std::string unsigned_token = s.token.substr(0, s.token.rfind('.') + 1);
    const std::string alg_none =
        "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0" +
        s.token.substr(s.token.find('.'), s.token.rfind('.') - s.token.find('.') + 1);
    for (const std::string& bad : {unsigned_token, alg_none, std::string("not-a-token")}) {
        SCOPED_TRACE("token " + bad);
        auto bob = join(bob_key, bad);
        expect_refused(*bob, ErrorCode::T_702_invite_invalid, s.secret);
    }
    // The genuine token still works (the refusals were about the tokens, not bob).
    auto bob = join(bob_key, s.token);
    EXPECT_TRUE(bob->expect(s.secret, 30s));
}

TEST_F(SharingRefusal, JoinLoginWithoutATokenIsRefusedWithT305) {
    auto bob = join(bob_key, "");
    EXPECT_TRUE(expect_ended_with(*bob, ErrorCode::T_305_reserved_login));
}

TEST_F(SharingRefusal, UnregisteredKeyCannotJoin) {
    auto s = shared_session(creator());
    std::string stranger = bastion->generate_key("stranger");
    auto target = join_target(stranger, s.token);
    target.log_level = "INFO";  // SSH banners (where the refusal is explained) show at INFO
    PtySession mallory(target);
    auto status = mallory.read_all_until_exit(60s);
    EXPECT_EQ(status, 255) << mallory.tail();
    EXPECT_NE(mallory.transcript().find(seen(ErrorCode::T_201_key_not_registered)),
              std::string::npos)
        << mallory.tail();
    EXPECT_EQ(mallory.transcript().find(s.secret), std::string::npos);
}

class SharingShortInvite : public SharingTest {
  protected:
    std::vector<std::string> sshd_overrides() const override { return {"--invite.ttl=2s"}; }
};

TEST_F(SharingShortInvite, ExpiredInviteIsRefusedWithT703) {
    auto s = shared_session(creator());
    ASSERT_FALSE(s.token.empty());
    std::this_thread::sleep_for(3s);  // the invite's lifetime (2 s) must pass: nothing to poll
    auto bob = join(bob_key, s.token);
    expect_refused(*bob, ErrorCode::T_703_invite_expired, s.secret);
}

TEST_F(SharingRefusal, ExplicitShareTtlIsHonouredAndExpiresWithT703) {
    auto s = shared_session(creator(), "2s");
    ASSERT_FALSE(s.token.empty());
    std::this_thread::sleep_for(3s);  // the invite's lifetime (2 s) must pass: nothing to poll
    auto bob = join(bob_key, s.token);
    expect_refused(*bob, ErrorCode::T_703_invite_expired, s.secret);
}

TEST_F(SharingRefusal, ShareTtlAboveTheMaximumIsRefusedWithT707) {
    auto alice_ssh = creator();
    escape_command(*alice_ssh, "share 48h");  // invite.max_ttl is 24h
    EXPECT_TRUE(alice_ssh->expect(seen(ErrorCode::T_707_invite_ttl_too_long), 20s));
    close_escape_prompt(*alice_ssh);
}

class SharingCap : public SharingTest {
  protected:
    std::vector<std::string> sshd_overrides() const override {
        return {"--invite.max_participants=1"};
    }
};

TEST_F(SharingCap, JoinerBeyondTheParticipantCapIsRefusedWithT706) {
    auto s = shared_session(creator());
    auto bob = join(bob_key, s.token);
    ASSERT_TRUE(bob->expect(s.secret, 30s));
    auto carol = join(carol_key, s.token);
    expect_refused(*carol, ErrorCode::T_706_share_full, s.secret);
    // When bob leaves, there is room again.
    invitee_command(*bob, "exit");
    ASSERT_TRUE(bob->read_all_until_exit(20s));
    auto carol_again = join(carol_key, s.token);
    EXPECT_TRUE(carol_again->expect(s.secret, 30s));
}

}  // namespace
}  // namespace tandem::test
