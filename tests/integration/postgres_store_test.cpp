// The whole bastion on a PostgreSQL store (store.url): logins and keys (tandem-sshd), the
// session's row and access re-check (tandem-shell), shares and participants (tandem-broker),
// administration (tandem-admin) all go through the database, and no SQLite file exists.
#include <filesystem>
#include <thread>

#include "harness/paths.hpp"
#include "harness/sharing_fixture.hpp"
#include "support/postgres_server.hpp"

namespace tandem::test {
namespace {

class PostgresStore : public SharingTest {
  protected:
    std::vector<std::string> sshd_overrides() const override {
        return {"--session.access_recheck=1s"};
    }
    std::vector<std::string> init_overrides() override {
        database_ = test_support::PostgresServer::shared().create_database();
        return {"--store.url=" + database_};
    }
    std::string database_;
};

TEST_F(PostgresStore, ShareJoinListAndRevokeWorkWithTheStoreInPostgres) {
    auto alice_session = creator();
    const auto first = unique_marker("on-postgres");
    alice_session->send_line(print_command(first));
    ASSERT_TRUE(alice_session->expect(first + "\r\n"));
    auto invite = share(*alice_session);
    ASSERT_TRUE(invite);
    auto carol = join(carol_key, invite->token);
    ASSERT_TRUE(carol->expect(first, 30s)) << "carol never saw alice's screen";

    // The broker wrote the share and its participant to the database; the admin reads it.
    bool listed = false;
    std::string live;
    for (int i = 0; i < 50 && !listed; ++i) {
        live = bastion->admin_ok({"sessions", "--live"}).out;
        listed = live.find("alice") != std::string::npos && live.find("carol") != std::string::npos;
        if (!listed) std::this_thread::sleep_for(100ms);
    }
    EXPECT_TRUE(listed) << live;

    // A revocation in the database reaches the session's re-check and the share.
    bastion->revoke("alice", account);
    ASSERT_TRUE(alice_session->expect(seen(ErrorCode::T_306_access_revoked), 20s));
    EXPECT_TRUE(expect_ended_with(*carol, ErrorCode::T_708_grant_revoked, 20s));
    const auto sessions = bastion->admin_ok({"sessions"});
    EXPECT_NE(sessions.out.find("T_306"), std::string::npos) << sessions.out;
    const auto audit = bastion->admin_ok({"audit"});
    EXPECT_NE(audit.out.find("revoke"), std::string::npos) << audit.out;

    // Everything above went through PostgreSQL: the instance has no SQLite store, and its
    // config names the database.
    EXPECT_FALSE(std::filesystem::exists(bastion->dir() + "/tandem.db"));
    EXPECT_NE(read_file(bastion->config_path()).find("url = postgresql://"), std::string::npos);
}

}  // namespace
}  // namespace tandem::test
