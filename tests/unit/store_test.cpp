#include "tandem/store.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "support/store_backends.hpp"

namespace tandem {
namespace {

namespace fs = std::filesystem;

using test_support::StoreBackend;

class StoreTestBase : public ::testing::Test {
  protected:
    explicit StoreTestBase(StoreBackend backend)
        : where_(backend), dir_(where_.dir()), path_(where_.location()) {}

    static UserKey key(const std::string& blob) {
        UserKey k;
        k.type = "ssh-ed25519";
        k.blob_base64 = blob;
        k.fingerprint = "SHA256:" + blob;
        k.comment = "c";
        return k;
    }
    static StoreError::Kind kind_of(const std::function<void()>& f) {
        try {
            f();
        } catch (const StoreError& e) {
            return e.kind();
        }
        ADD_FAILURE() << "no StoreError";
        return StoreError::Kind::unavailable;
    }
    // Host web01 with account root@web01; returns the account id.
    static Id add_account(Store& s) {
        Host h;
        h.name = "web01";
        h.address = "127.0.0.1";
        h.port = 2200;
        h.host_key_type = "ssh-ed25519";
        h.host_key_base64 = "AAAA";
        const Id host = s.add_host(h);
        return s.put_account(host, "root", CredentialKind::private_key, "KEY");
    }

    test_support::StoreLocation where_;
    std::string dir_;
    std::string path_;  // the store's location: a SQLite file or a postgresql:// URL
};

// Runs on both backends.
class StoreTest : public StoreTestBase, public ::testing::WithParamInterface<StoreBackend> {
  protected:
    StoreTest() : StoreTestBase(GetParam()) {}
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest,
                         ::testing::Values(StoreBackend::sqlite, StoreBackend::postgres),
                         test_support::backend_name);

// What only a SQLite file has: its mode, WAL, PRAGMAs, a query plan.
class SqliteStoreTest : public StoreTestBase {
  protected:
    SqliteStoreTest() : StoreTestBase(StoreBackend::sqlite) {}
};

TEST_F(SqliteStoreTest, CreatesPrivateWalDatabaseAtLatestSchema) {
    Store s = Store::open(path_);
    EXPECT_EQ(s.schema_version(), 8);
    struct stat st {};
    ASSERT_EQ(::stat(path_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(s.handle(), "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
    sqlite3_finalize(stmt);
    ASSERT_EQ(sqlite3_prepare_v2(s.handle(), "PRAGMA foreign_keys", -1, &stmt, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(stmt, 0), 1);
    sqlite3_finalize(stmt);
}

TEST_P(StoreTest, MigratesAnEmptyDatabaseAndReopensWithoutChange) {
    {
        // An empty file, as left by a crash right after creation, is a version-0 database.
        if (GetParam() == StoreBackend::sqlite) std::ofstream(path_).flush();
        Store s = Store::open(path_);
        EXPECT_EQ(s.schema_version(), 8);
        s.add_user("alice", false, "");
    }
    Store again = Store::open_existing(path_);
    EXPECT_EQ(again.schema_version(), 8);
    ASSERT_TRUE(again.find_user("alice"));
}

TEST_F(SqliteStoreTest, RefusesNewerSchemaMissingFileAndGarbage) {
    {
        Store s = Store::open(path_);
        sqlite3_exec(s.handle(), "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
    }
    EXPECT_EQ(kind_of([&] { Store::open(path_); }), StoreError::Kind::unavailable);
    EXPECT_EQ(kind_of([&] { Store::open_existing(dir_ + "/missing.db"); }),
              StoreError::Kind::unavailable);
    EXPECT_FALSE(fs::exists(dir_ + "/missing.db"));
    EXPECT_EQ(kind_of([&] { Store::open(dir_ + "/no/such/dir/x.db"); }),
              StoreError::Kind::unavailable);
    const std::string junk = dir_ + "/junk.db";
    std::ofstream(junk) << std::string(8192, 'x');
    EXPECT_EQ(kind_of([&] { Store::open(junk); }), StoreError::Kind::corrupt);
}

TEST_P(StoreTest, UsersAndKeys) {
    Store s = Store::open(path_);
    const Id alice = s.add_user("alice", true, "$scrypt$x");
    EXPECT_EQ(kind_of([&] { s.add_user("alice", false, ""); }), StoreError::Kind::duplicate);
    auto u = s.find_user("alice");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->id, alice);
    EXPECT_TRUE(u->is_admin);
    EXPECT_EQ(u->password_hash, "$scrypt$x");
    EXPECT_GT(u->created_at, 0);
    EXPECT_FALSE(s.find_user("bob"));

    s.add_user_key(alice, key("AAAA1"));
    s.add_user_key(alice, key("AAAA2"));
    EXPECT_EQ(kind_of([&] { s.add_user_key(alice, key("AAAA1")); }), StoreError::Kind::duplicate);
    const Id bob = s.add_user("bob", false, "");
    EXPECT_EQ(kind_of([&] { s.add_user_key(bob, key("AAAA2")); }), StoreError::Kind::duplicate);
    EXPECT_EQ(s.user_keys(alice).size(), 2u);
    EXPECT_EQ(s.user_keys(alice)[1].fingerprint, "SHA256:AAAA2");
    EXPECT_EQ(s.find_user_by_key("ssh-ed25519", "AAAA2")->name, "alice");
    EXPECT_FALSE(s.find_user_by_key("ssh-rsa", "AAAA2"));
    EXPECT_FALSE(s.find_user_by_key("ssh-ed25519", "AAAA3"));

    s.set_password_hash("bob", "$scrypt$y");
    EXPECT_EQ(s.find_user("bob")->password_hash, "$scrypt$y");
    EXPECT_EQ(kind_of([&] { s.set_password_hash("carol", "x"); }), StoreError::Kind::not_found);
    EXPECT_EQ(s.list_users().size(), 2u);
    EXPECT_EQ(s.list_users()[0].name, "alice");
}

TEST_F(SqliteStoreTest, FindUserByKeyUsesTheIndex) {
    Store s = Store::open(path_);
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(s.handle(),
                                 "EXPLAIN QUERY PLAN SELECT user_id FROM user_keys "
                                 "WHERE type = 'a' AND blob = 'b'",
                                 -1, &stmt, nullptr),
              SQLITE_OK);
    std::string plan;
    while (sqlite3_step(stmt) == SQLITE_ROW)
        plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
    sqlite3_finalize(stmt);
    EXPECT_NE(plan.find("USING INDEX user_keys_by_key"), std::string::npos) << plan;
}

TEST_P(StoreTest, HostsAccountsAndGrants) {
    Store s = Store::open(path_);
    const Id account = add_account(s);
    Host dup;
    dup.name = "web01";
    dup.address = "x";
    EXPECT_EQ(kind_of([&] { s.add_host(dup); }), StoreError::Kind::duplicate);
    auto host = s.find_host("web01");
    ASSERT_TRUE(host);
    EXPECT_EQ(host->port, 2200);
    s.pin_host_key(host->id, "ecdsa-sha2-nistp256", "BBBB");
    EXPECT_EQ(s.find_host("web01")->host_key_type, "ecdsa-sha2-nistp256");
    EXPECT_EQ(s.find_host("web01")->host_key_base64, "BBBB");
    EXPECT_EQ(kind_of([&] { s.pin_host_key(999, "t", "b"); }), StoreError::Kind::not_found);

    auto a = s.find_account("root", "web01");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->id, account);
    EXPECT_EQ(a->name(), "root@web01");
    EXPECT_EQ(a->credential, "KEY");
    // put_account on an existing account replaces its credential and keeps its id.
    EXPECT_EQ(s.put_account(host->id, "root", CredentialKind::password, "pw"), account);
    EXPECT_EQ(s.find_account("root", "web01")->kind, CredentialKind::password);
    EXPECT_EQ(s.find_account("root", "web01")->credential, "pw");
    EXPECT_FALSE(s.find_account("root", "web02"));
    EXPECT_EQ(kind_of([&] { s.put_account(999, "x", CredentialKind::password, "p"); }),
              StoreError::Kind::not_found);

    const Id alice = s.add_user("alice", false, "");
    EXPECT_FALSE(s.has_grant(alice, account));
    s.grant(alice, account);
    EXPECT_EQ(kind_of([&] { s.grant(alice, account); }), StoreError::Kind::duplicate);
    EXPECT_TRUE(s.has_grant(alice, account));
    const auto granted = s.granted_accounts(alice);
    ASSERT_EQ(granted.size(), 1u);
    EXPECT_EQ(granted[0].name(), "root@web01");
    EXPECT_EQ(granted[0].credential, "");  // never handed out in listings
    s.revoke(alice, account);
    EXPECT_FALSE(s.has_grant(alice, account));
    EXPECT_EQ(kind_of([&] { s.revoke(alice, account); }), StoreError::Kind::not_found);
}

TEST_P(StoreTest, DeletingAUserCascadesKeysAndGrantsButKeepsHistory) {
    Store s = Store::open(path_);
    const Id account = add_account(s);
    const Id alice = s.add_user("alice", false, "");
    s.add_user_key(alice, key("AAAA1"));
    s.grant(alice, account);
    SessionRecord rec;
    rec.user_id = alice;
    rec.account_id = account;
    const Id session = s.begin_session(rec);
    s.end_session(session, 0, "exit");

    s.delete_user("alice");
    EXPECT_FALSE(s.find_user("alice"));
    EXPECT_FALSE(s.find_user_by_key("ssh-ed25519", "AAAA1"));
    EXPECT_EQ(kind_of([&] { s.delete_user("alice"); }), StoreError::Kind::not_found);
    // A new alice gets neither the old key nor the old grant.
    const Id again = s.add_user("alice", false, "");
    EXPECT_FALSE(s.has_grant(again, account));
    EXPECT_TRUE(s.user_keys(again).empty());
    s.add_user_key(again, key("AAAA1"));  // the key is free again
    const auto sessions = s.list_sessions(10);
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_EQ(sessions[0].user_name, "alice");
    EXPECT_EQ(sessions[0].user_id, 0);
}

TEST_P(StoreTest, SessionsNewestFirstWithOutcome) {
    Store s = Store::open(path_);
    const Id account = add_account(s);
    const Id alice = s.add_user("alice", false, "");
    SessionRecord first;
    first.user_id = alice;
    first.account_id = account;
    first.started_at = 1000;
    first.recording_path = "/r/1.cast";
    first.client = "ssh 127.0.0.1:5000";
    const Id a = s.begin_session(first);
    SessionRecord second = first;
    second.started_at = 2000;
    second.uuid = "fixed-uuid";
    const Id b = s.begin_session(second);
    s.end_session(a, std::nullopt, "T_514");
    EXPECT_EQ(kind_of([&] { s.end_session(999, 0, "exit"); }), StoreError::Kind::not_found);

    const auto list = s.list_sessions(0);
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].id, b);
    EXPECT_EQ(list[0].uuid, "fixed-uuid");
    EXPECT_FALSE(list[0].ended_at);
    EXPECT_EQ(list[1].id, a);
    EXPECT_EQ(list[1].user_name, "alice");
    EXPECT_EQ(list[1].account_name, "root@web01");
    EXPECT_EQ(list[1].end_reason, "T_514");
    EXPECT_FALSE(list[1].exit_status);
    EXPECT_TRUE(list[1].ended_at);
    EXPECT_EQ(list[1].recording_path, "/r/1.cast");
    EXPECT_EQ(list[1].client, "ssh 127.0.0.1:5000");
    EXPECT_EQ(list[1].uuid.size(), 36u);  // generated
    EXPECT_EQ(s.list_sessions(1).size(), 1u);
}

TEST_P(StoreTest, AuditNewestFirst) {
    Store s = Store::open(path_);
    s.audit("root", "user.add", "alice", "admin=no");
    s.audit("root", "grant", "root@web01");
    const auto events = s.list_audit(0);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].action, "grant");
    EXPECT_EQ(events[0].detail, "");
    EXPECT_EQ(events[1].subject, "alice");
    EXPECT_EQ(events[1].detail, "admin=no");
    EXPECT_EQ(s.list_audit(1).size(), 1u);
}

TEST_P(StoreTest, TransactionsRollBackUnlessCommitted) {
    Store s = Store::open(path_);
    {
        StoreTransaction tx(s);
        s.add_user("ghost", false, "");
    }
    EXPECT_FALSE(s.find_user("ghost"));
    {
        StoreTransaction tx(s);
        s.add_user("kept", false, "");
        tx.commit();
    }
    EXPECT_TRUE(s.find_user("kept"));
}

TEST_P(StoreTest, ConcurrentWritersFromThreadsAndProcesses) {
    Store::open(path_);  // created once; writers below open their own connections
    constexpr int kPerWriter = 100;
    auto writer = [&](const std::string& prefix) {
        Store s = Store::open(path_);
        for (int i = 0; i < kPerWriter; ++i) {
            StoreTransaction tx(s);  // holds the write lock across two statements
            s.add_user(prefix + std::to_string(i), false, "");
            s.audit("test", "user.add", prefix + std::to_string(i));
            tx.commit();
        }
    };
    std::vector<pid_t> children;
    for (int p = 0; p < 2; ++p) {
        const pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            int code = 0;
            try {
                writer("p" + std::to_string(p) + "_");
            } catch (...) {
                code = 1;
            }
            ::_exit(code);
        }
        children.push_back(pid);
    }
    std::thread t1(writer, "t1_");
    std::thread t2(writer, "t2_");
    t1.join();
    t2.join();
    for (pid_t pid : children) {
        int status = 0;
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child writer failed";
    }
    Store s = Store::open_existing(path_);
    EXPECT_EQ(s.list_users().size(), 4u * kPerWriter);
    EXPECT_EQ(s.list_audit(0).size(), 4u * kPerWriter);
}

TEST_P(StoreTest, ConcurrentFirstOpenMigratesOnce) {
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&] {
            try {
                Store s = Store::open(path_);
                if (s.schema_version() != 8) ++failures;
            } catch (const StoreError& e) {
                ADD_FAILURE() << e.what();
                ++failures;
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0);
}

// What only a PostgreSQL store has: a server that may be elsewhere, down, or of another version.
class PostgresStoreTest : public StoreTestBase {
  protected:
    PostgresStoreTest() : StoreTestBase(StoreBackend::postgres) {}
    static void exec(const std::string& url, const std::string& sql) {
        PGconn* conn = PQconnectdb(url.c_str());
        ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
        PGresult* res = PQexec(conn, sql.c_str());
        EXPECT_TRUE(PQresultStatus(res) == PGRES_COMMAND_OK ||
                    PQresultStatus(res) == PGRES_TUPLES_OK)
            << PQresultErrorMessage(res);
        PQclear(res);
        PQfinish(conn);
    }
};

TEST_F(PostgresStoreTest, RefusesANewerSchemaAndAnUnreachableServerWithoutShowingThePassword) {
    {
        Store s = Store::open(path_);
        EXPECT_EQ(s.schema_version(), 8);
    }
    exec(path_, "UPDATE tandem_schema SET version = 99");
    EXPECT_EQ(kind_of([&] { Store::open(path_); }), StoreError::Kind::unavailable);
    exec(path_, "UPDATE tandem_schema SET version = 8");
    EXPECT_EQ(Store::open(path_).schema_version(), 8);  // positive control

    // A port nobody listens on (bound, never listening), with a password in the URL.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    const std::string url =
        "postgresql://tandem:s3cret-pw@127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) +
        "/tandem?connect_timeout=2";
    try {
        Store::open(url);
        ADD_FAILURE() << "opened a store on a closed port";
    } catch (const StoreError& e) {
        EXPECT_EQ(e.kind(), StoreError::Kind::unavailable);
        EXPECT_EQ(std::string(e.what()).find("s3cret-pw"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("127.0.0.1"), std::string::npos) << e.what();
    }
    ::close(fd);
}

// A long-lived process (the broker) outlives a server restart or failover: its connection is
// cut, and the next use of the store reconnects instead of failing from then on.
TEST_F(PostgresStoreTest, AConnectionTheServerCutIsReopenedOnNextUse) {
    Store s = Store::open(path_);
    s.add_user("alice", false, "");
    exec(path_,
         "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
         "current_database() AND pid <> pg_backend_pid()");
    ASSERT_TRUE(s.find_user("alice"));  // reconnected
    s.add_user("bob", false, "");
    EXPECT_EQ(s.list_users().size(), 2u);
}

// Text PostgreSQL refuses (invalid UTF-8, NUL) is stored on both backends, so a stray byte in
// an audit detail cannot make a write fail on one of them only.
TEST_P(StoreTest, AnyBytesInTextAreStored) {
    Store s = Store::open(path_);
    s.audit("alice", "session.start", "root@web01", std::string("ok \xff\xc3\x28 \0 end", 12));
    const auto events = s.list_audit(1);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].detail.rfind("ok ", 0), 0u);
    EXPECT_EQ(events[0].detail.substr(events[0].detail.size() - 4), " end");
}

// Audit search ignores ASCII case in details on both backends (SQLite's LIKE does by nature).
TEST_P(StoreTest, AuditSearchIgnoresCaseInDetailsOnBothBackends) {
    Store s = Store::open(path_);
    s.audit("admin", "grant", "root@web01", "user=Alice account=root@web01");
    s.audit("admin", "grant", "root@web02", "user=bob account=root@web02");
    AuditQuery q;
    q.user = "alice";
    const auto found = s.search_audit(q);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].subject, "root@web01");
}

}  // namespace
}  // namespace tandem
