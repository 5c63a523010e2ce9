#include "support/postgres_server.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace tandem {
namespace {

struct PgConnCloser {
    void operator()(PGconn* conn) const { PQfinish(conn); }
};
using PgConn = std::unique_ptr<PGconn, PgConnCloser>;

// Null (and a failure recorded) when the server does not let us in.
PgConn pg_connect(const std::string& url) {
    PgConn conn(PQconnectdb(url.c_str()));
    if (PQstatus(conn.get()) == CONNECTION_OK) return conn;
    ADD_FAILURE() << url << ": " << PQerrorMessage(conn.get());
    return nullptr;
}

bool connects(const std::string& url) {
    PgConn conn(PQconnectdb(url.c_str()));
    return PQstatus(conn.get()) == CONNECTION_OK;
}

// Runs sql; returns the first column of the first row ("" when there is none), or "ERROR: ..."
// when the server rejected it.
std::string pg_query(PGconn* conn, const std::string& sql) {
    PGresult* result = PQexec(conn, sql.c_str());
    std::string out;
    const auto status = PQresultStatus(result);
    if (status == PGRES_TUPLES_OK && PQntuples(result) > 0)
        out = PQgetvalue(result, 0, 0);
    else if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
        out = "ERROR: " + std::string(PQresultErrorMessage(result));
    PQclear(result);
    return out;
}

TEST(PostgresServer, CreatedDatabasesTakeSqlAndAreDistinct) {
    auto& server = test_support::PostgresServer::shared();
    const std::string first = server.create_database();
    const std::string second = server.create_database();
    ASSERT_NE(first, second);
    const std::string where = "@127.0.0.1:" + std::to_string(server.port()) + "/";
    EXPECT_EQ(first.rfind("postgresql://tandem:", 0), 0u);
    EXPECT_NE(first.find(where), std::string::npos);
    // The superuser needs the server's random password: without it (or with another) the
    // server refuses, while the URL create_database() gave is let in below.
    EXPECT_FALSE(connects("postgresql://tandem" + where + "postgres"));
    EXPECT_FALSE(connects("postgresql://tandem:guess" + where + "postgres"));
    {
        PgConn a = pg_connect(first);
        PgConn b = pg_connect(second);
        ASSERT_TRUE(a && b);
        EXPECT_EQ(pg_query(a.get(), "CREATE TABLE notes (id int PRIMARY KEY, body text)"), "");
        EXPECT_EQ(pg_query(a.get(), "INSERT INTO notes VALUES (1, 'hello')"), "");
        EXPECT_EQ(pg_query(a.get(), "SELECT body FROM notes WHERE id = 1"), "hello");
        // The second database has no such table: they are distinct databases.
        EXPECT_NE(pg_query(b.get(), "SELECT current_database()"),
                  pg_query(a.get(), "SELECT current_database()"));
        EXPECT_NE(pg_query(b.get(), "SELECT count(*) FROM notes").find("does not exist"),
                  std::string::npos);
        // Still connected: dropping must not depend on tests closing their connections.
        server.drop_database(first);
    }
    server.drop_database(second);
    PgConn gone(PQconnectdb(first.c_str()));
    EXPECT_NE(PQstatus(gone.get()), CONNECTION_OK);
}

TEST(PostgresServer, DestructorStopsTheServerAndRemovesItsDirectory) {
    std::filesystem::path data_dir;
    pid_t postmaster = 0;
    {
        test_support::PostgresServer server;
        PgConn admin = pg_connect(server.admin_url());
        ASSERT_TRUE(admin);
        data_dir = pg_query(admin.get(), "SHOW data_directory");
        ASSERT_TRUE(std::filesystem::is_directory(data_dir)) << data_dir;
        std::ifstream pid_file(data_dir / "postmaster.pid");
        pid_file >> postmaster;
        ASSERT_GT(postmaster, 0);
        ASSERT_EQ(::kill(postmaster, 0), 0);
    }
    EXPECT_FALSE(std::filesystem::exists(data_dir)) << data_dir;
    EXPECT_FALSE(std::filesystem::exists(data_dir.parent_path())) << data_dir.parent_path();
    errno = 0;
    EXPECT_EQ(::kill(postmaster, 0), -1);
    EXPECT_EQ(errno, ESRCH);
}

}  // namespace
}  // namespace tandem
