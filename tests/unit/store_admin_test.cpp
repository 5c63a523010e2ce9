// The store's side of administration: disabling users, deleting keys, hosts and accounts,
// listings, live-session bookkeeping (bytes, share, participants) and the audit search; and
// the migration from schema 1 keeping what was there.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>

#include "support/store_backends.hpp"
#include "tandem/store.hpp"

namespace tandem {

namespace sql {
const std::vector<const char*>& sqlite_migrations();    // core/store/sqlite_schema.cpp
const std::vector<const char*>& postgres_migrations();  // core/store/postgres_schema.cpp
}  // namespace sql

namespace {

using test_support::StoreBackend;

// Every test runs on both backends.
class StoreAdminTest : public ::testing::TestWithParam<StoreBackend> {
  protected:
    static Id add_host(Store& s, const std::string& name) {
        Host h;
        h.name = name;
        h.address = "127.0.0.1";
        h.port = 22;
        return s.add_host(h);
    }
    static UserKey key(const std::string& blob) {
        UserKey k;
        k.type = "ssh-ed25519";
        k.blob_base64 = blob;
        k.fingerprint = "SHA256:" + blob;
        return k;
    }

    test_support::StoreLocation where_{GetParam()};
    std::string path_ = where_.location();
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreAdminTest,
                         ::testing::Values(StoreBackend::sqlite, StoreBackend::postgres),
                         test_support::backend_name);

// A store at schema 1 holding one user and one live session, as an older tandem left it.
void make_schema_one_store(StoreBackend backend, const std::string& location) {
    const std::string rows =
        "INSERT INTO users (name, created_at) VALUES ('alice', 1);"
        "INSERT INTO sessions (uuid, user_name, account_name, started_at) "
        "VALUES ('u1', 'alice', 'root@web01', 5);";
    if (backend == StoreBackend::sqlite) {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(location.c_str(), &db), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(db, sql::sqlite_migrations().at(0), nullptr, nullptr, nullptr),
                  SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(db, (rows + "PRAGMA user_version = 1;").c_str(), nullptr, nullptr,
                               nullptr),
                  SQLITE_OK);
        sqlite3_close(db);
        return;
    }
    PGconn* conn = PQconnectdb(location.c_str());
    ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
    const std::string script = std::string(sql::postgres_migrations().at(0)) + rows +
                               "CREATE TABLE tandem_schema (version INTEGER NOT NULL);"
                               "INSERT INTO tandem_schema VALUES (1);";
    PGresult* res = PQexec(conn, script.c_str());
    EXPECT_EQ(PQresultStatus(res), PGRES_COMMAND_OK) << PQresultErrorMessage(res);
    PQclear(res);
    PQfinish(conn);
}

TEST_P(StoreAdminTest, MigratesASchemaOneStoreKeepingItsRows) {
    make_schema_one_store(GetParam(), path_);
    Store s = Store::open(path_);
    EXPECT_EQ(s.schema_version(), 8);
    const auto alice = s.find_user("alice");
    ASSERT_TRUE(alice);
    EXPECT_FALSE(alice->disabled);
    const auto live = s.list_live_sessions();
    ASSERT_EQ(live.size(), 1u);
    EXPECT_EQ(live[0].session.via, "ssh");
    EXPECT_EQ(live[0].session.bytes_in, 0);
    EXPECT_FALSE(live[0].sharing.shared);
}

TEST_P(StoreAdminTest, DisableEnableAndTheKeyLookupSaysSo) {
    Store s = Store::open(path_);
    const Id alice = s.add_user("alice", false, "");
    s.add_user_key(alice, key("AAAA"));
    s.set_user_disabled("alice", true);
    EXPECT_TRUE(s.find_user("alice")->disabled);
    EXPECT_TRUE(s.find_user_by_key("ssh-ed25519", "AAAA")->disabled);
    EXPECT_TRUE(s.list_users().at(0).disabled);
    s.set_user_disabled("alice", false);
    EXPECT_FALSE(s.find_user("alice")->disabled);
    try {
        s.set_user_disabled("nobody", true);
        ADD_FAILURE() << "no error for an unknown user";
    } catch (const StoreError& e) {
        EXPECT_EQ(e.kind(), StoreError::Kind::not_found);
    }
}

TEST_P(StoreAdminTest, RolesAdminAndAuditorAreSetTogetherAndRead) {
    Store s = Store::open(path_);
    s.add_user("carol", false, "");
    EXPECT_FALSE(s.find_user("carol")->is_auditor);
    s.set_user_roles("carol", false, true);
    EXPECT_TRUE(s.find_user("carol")->is_auditor);
    EXPECT_FALSE(s.find_user("carol")->is_admin);
    EXPECT_TRUE(s.list_users().at(0).is_auditor);
    s.set_user_roles("carol", true, false);
    EXPECT_TRUE(s.find_user("carol")->is_admin);
    EXPECT_FALSE(s.find_user("carol")->is_auditor);
    EXPECT_THROW(s.set_user_roles("nobody", true, true), StoreError);
}

TEST_P(StoreAdminTest, DeleteOneKeyByFingerprintOnlyForItsOwner) {
    Store s = Store::open(path_);
    const Id alice = s.add_user("alice", false, "");
    const Id bob = s.add_user("bob", false, "");
    s.add_user_key(alice, key("AAAA"));
    s.add_user_key(alice, key("BBBB"));
    s.add_user_key(bob, key("CCCC"));
    // Bob cannot delete Alice's key by naming its fingerprint.
    EXPECT_THROW(s.delete_user_key(bob, "SHA256:AAAA"), StoreError);
    EXPECT_EQ(s.user_keys(alice).size(), 2u);
    s.delete_user_key(alice, "SHA256:AAAA");
    ASSERT_EQ(s.user_keys(alice).size(), 1u);
    EXPECT_EQ(s.user_keys(alice)[0].fingerprint, "SHA256:BBBB");
    EXPECT_FALSE(s.find_user_by_key("ssh-ed25519", "AAAA"));
}

TEST_P(StoreAdminTest, HostsAccountsAndGrantsListedMovedAndDeleted) {
    Store s = Store::open(path_);
    const Id web = add_host(s, "web01");
    const Id db = add_host(s, "db01");
    const Id root = s.put_account(web, "root", CredentialKind::private_key, "K");
    const Id deploy = s.put_account(web, "deploy", CredentialKind::password, "P");
    const Id pg = s.put_account(db, "postgres", CredentialKind::password, "P");
    const Id alice = s.add_user("alice", false, "");
    const Id bob = s.add_user("bob", false, "");
    s.grant(alice, root);
    s.grant(bob, root);
    s.grant(bob, pg);

    const auto all = s.list_accounts();
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].name(), "postgres@db01");
    EXPECT_EQ(all[1].name(), "deploy@web01");
    EXPECT_EQ(all[2].name(), "root@web01");
    EXPECT_TRUE(all[2].credential.empty());  // never read for a listing
    EXPECT_EQ(s.list_accounts("web01").size(), 2u);
    EXPECT_TRUE(s.list_accounts("nohost").empty());

    const auto grants = s.list_grants();
    ASSERT_EQ(grants.size(), 3u);
    EXPECT_EQ(grants[0].user_name, "alice");
    EXPECT_EQ(grants[0].account_name, "root@web01");
    EXPECT_EQ(grants[1].account_name, "postgres@db01");

    s.set_host_address(web, "10.0.0.9", 2222);
    EXPECT_EQ(s.find_host("web01")->address, "10.0.0.9");
    EXPECT_EQ(s.find_host("web01")->port, 2222);

    s.delete_account(deploy);
    EXPECT_FALSE(s.find_account("deploy", "web01"));
    s.delete_host(web);  // takes root@web01 and both its grants with it
    EXPECT_FALSE(s.find_host("web01"));
    EXPECT_FALSE(s.find_account("root", "web01"));
    ASSERT_EQ(s.list_grants().size(), 1u);
    EXPECT_EQ(s.list_grants()[0].account_name, "postgres@db01");
    EXPECT_THROW(s.delete_host(web), StoreError);
    EXPECT_THROW(s.delete_account(deploy), StoreError);
}

TEST_P(StoreAdminTest, LiveSessionsCarryViaBytesShareAndParticipants) {
    Store s = Store::open(path_);
    const Id alice = s.add_user("alice", false, "");
    const Id root = s.put_account(add_host(s, "web01"), "root", CredentialKind::password, "P");
    SessionRecord r;
    r.uuid = "live-1";
    r.user_id = alice;
    r.account_id = root;
    r.via = "drop-in";
    r.started_at = 100;
    const Id live = s.begin_session(r);
    r.uuid = "over-1";
    r.via = "";
    const Id over = s.begin_session(r);
    s.end_session(over, 0, "exit");

    s.set_session_bytes(live, 12, 3400);
    s.set_session_sharing(
        "live-1", {true, "shr-1", "bob", {{"bob", "web", "127.0.0.1"}, {"carol", "ssh", "x"}}});
    auto rows = s.list_live_sessions();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].session.uuid, "live-1");
    EXPECT_EQ(rows[0].session.user_name, "alice");
    EXPECT_EQ(rows[0].session.account_name, "root@web01");
    EXPECT_EQ(rows[0].session.via, "drop-in");
    EXPECT_EQ(rows[0].session.bytes_in, 12);
    EXPECT_EQ(rows[0].session.bytes_out, 3400);
    EXPECT_TRUE(rows[0].sharing.shared);
    EXPECT_EQ(rows[0].sharing.controller, "bob");
    EXPECT_EQ(rows[0].sharing.share_id, "shr-1");
    ASSERT_EQ(rows[0].sharing.participants.size(), 2u);
    EXPECT_EQ(rows[0].sharing.participants[1].user_name, "carol");
    EXPECT_EQ(rows[0].sharing.participants[1].via, "ssh");
    EXPECT_EQ(s.list_sessions(10).back().via, "drop-in");
    EXPECT_EQ(s.list_sessions(10).front().via, "ssh");  // empty via is recorded as ssh

    // Replaced whole; an ended or unknown session is left alone.
    s.set_session_sharing("live-1", {});
    rows = s.list_live_sessions();
    EXPECT_FALSE(rows[0].sharing.shared);
    EXPECT_TRUE(rows[0].sharing.participants.empty());
    s.set_session_sharing("over-1", {true, "shr-x", "x", {}});
    s.set_session_sharing("no-such", {true, "shr-x", "x", {}});
    EXPECT_EQ(s.list_live_sessions().size(), 1u);
}

TEST_P(StoreAdminTest, AuditSearchByUserAccountEventAndTime) {
    Store s = Store::open(path_);
    s.audit("root", "grant", "root@web01", "user=alice");
    s.audit("root", "grant", "root@web01", "user=alice2");
    s.audit("alice", "session.start", "root@web01", "uuid=1");
    s.audit("alice", "session.end", "root@web01", "uuid=1");
    s.audit("bob", "share.create", "abc", "session=1 account=root@web01");
    s.audit("root", "user.add", "bob");
    auto actions = [&](AuditQuery q) {
        std::vector<std::string> out;
        for (const auto& e : s.search_audit(q)) out.push_back(e.action + ":" + e.actor);
        return out;
    };
    using V = std::vector<std::string>;
    AuditQuery q;
    EXPECT_EQ(actions(q).size(), 6u);
    q.user = "alice";  // acted, or named by a grant; not alice2
    EXPECT_EQ(actions(q), (V{"session.end:alice", "session.start:alice", "grant:root"}));
    q = {};
    q.user = "bob";
    EXPECT_EQ(actions(q), (V{"user.add:root", "share.create:bob"}));
    q = {};
    q.account = "root@web01";
    EXPECT_EQ(actions(q).size(), 5u);
    q.event = "session";  // a family
    EXPECT_EQ(actions(q), (V{"session.end:alice", "session.start:alice"}));
    q.event = "session.start";
    EXPECT_EQ(actions(q), (V{"session.start:alice"}));
    q.event = "sess";  // neither an action nor a family
    EXPECT_TRUE(actions(q).empty());
    q = {};
    q.user = "a%";  // LIKE wildcards are literal
    EXPECT_TRUE(actions(q).empty());
    q = {};
    q.since = now_unix() + 3600;
    EXPECT_TRUE(actions(q).empty());
    q = {};
    q.until = now_unix() - 3600;
    EXPECT_TRUE(actions(q).empty());
    q = {};
    q.since = now_unix() - 60;
    q.until = now_unix() + 60;
    q.limit = 2;
    EXPECT_EQ(actions(q), (V{"user.add:root", "share.create:bob"}));
}

}  // namespace
}  // namespace tandem
