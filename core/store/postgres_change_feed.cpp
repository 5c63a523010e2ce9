// StoreChangeFeed on PostgreSQL: a connection of its own that LISTENs to what Store's writes
// NOTIFY (sql::Connection::notify_access_change).
#include <libpq-fe.h>

#include "tandem/store.hpp"
#include "tandem/store_change_feed.hpp"

namespace tandem {
namespace {

class PostgresChangeFeed final : public StoreChangeFeed {
  public:
    explicit PostgresChangeFeed(const std::string& url) : where_(redacted_store_location(url)) {
        const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
        const char* values[] = {"10", "tandem-feed", url.c_str(), nullptr};
        conn_ = PQconnectdbParams(keys, values, 1);
        bool ok = conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK;
        if (ok) {
            PGresult* res = PQexec(conn_, "LISTEN tandem_access");
            ok = PQresultStatus(res) == PGRES_COMMAND_OK;
            PQclear(res);
        }
        if (!ok) {
            const std::string why = error_text();
            PQfinish(conn_);  // no destructor runs for a constructor that throws
            conn_ = nullptr;
            throw StoreError(StoreError::Kind::unavailable,
                             "cannot listen on store " + where_ + ": " + why);
        }
    }
    ~PostgresChangeFeed() override { PQfinish(conn_); }
    PostgresChangeFeed(const PostgresChangeFeed&) = delete;
    PostgresChangeFeed& operator=(const PostgresChangeFeed&) = delete;

    int descriptor() const override { return PQsocket(conn_); }

    int take() override {
        if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK)
            fail("the store's change feed broke");
        int changes = 0;
        while (PGnotify* n = PQnotifies(conn_)) {
            ++changes;
            PQfreemem(n);
        }
        return changes;
    }

  private:
    std::string error_text() const {
        std::string why = conn_ ? PQerrorMessage(conn_) : "out of memory";
        while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
        return why;
    }
    [[noreturn]] void fail(const std::string& what) const {
        throw StoreError(StoreError::Kind::unavailable, what + " " + where_ + ": " + error_text());
    }

    std::string where_;  // the URL without its password
    PGconn* conn_ = nullptr;
};

}  // namespace

std::unique_ptr<StoreChangeFeed> StoreChangeFeed::open(const std::string& location) {
    if (sqlite_file_of(location)) return nullptr;
    return std::make_unique<PostgresChangeFeed>(location);
}

}  // namespace tandem
