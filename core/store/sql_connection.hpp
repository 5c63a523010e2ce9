// What the store needs of a database: statements with positional parameters, write
// transactions, a schema version. SQLite (sqlite_connection.cpp) and PostgreSQL
// (postgres_connection.cpp) implement it; Store's queries are written once, in the SQL both
// accept (`?` or `?N` parameters, `INSERT ... RETURNING`, `ON CONFLICT`). Private to core.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tandem/store.hpp"

namespace tandem::sql {

// One execution of one statement. Parameters are 1-based; columns 0-based.
class Cursor {
  public:
    virtual ~Cursor() = default;
    virtual void bind_int64(int index, std::int64_t value) = 0;
    virtual void bind_text(int index, std::string_view value) = 0;
    virtual void bind_null(int index, bool integer) = 0;  // integer: a NULL for an int column
    // True while a row is available; throws StoreError on failure.
    virtual bool step() = 0;
    virtual int changes() const = 0;  // rows the finished statement changed
    virtual std::int64_t int64(int column) const = 0;
    virtual std::string text(int column) const = 0;
    virtual bool is_null(int column) const = 0;
};

class Connection {
  public:
    virtual ~Connection() = default;
    virtual std::unique_ptr<Cursor> prepare(std::string_view sql) = 0;
    // Runs SQL without results (may hold several statements).
    virtual void exec(const std::string& sql) = 0;
    // A write transaction that holds the store's write lock from its start, so that a
    // read-then-write cannot fail half-way on a concurrent writer.
    virtual void begin_write() = 0;
    virtual void commit() = 0;
    virtual void rollback() noexcept = 0;
    virtual int schema_version() = 0;
    virtual void set_schema_version(int version) = 0;  // inside a write transaction
    // Migration i (0-based) brings this backend's schema from version i to i+1.
    virtual const std::vector<const char*>& migrations() const = 0;
    virtual sqlite3* sqlite_handle() const { return nullptr; }
    // Tells other processes' StoreChangeFeed that who may do what changed (delivered when the
    // transaction commits). Nothing on SQLite: one machine, whose brokers re-check anyway.
    virtual void notify_access_change() {}
};

std::unique_ptr<Connection> open_sqlite(const std::string& path, bool create);
std::unique_ptr<Connection> open_postgres(const std::string& url);

// What Store's code holds: a prepared statement with chainable binds.
class Statement {
  public:
    Statement(Connection& db, std::string_view sql) : cursor_(db.prepare(sql)) {}

    Statement& bind(int index, std::int64_t value) {
        cursor_->bind_int64(index, value);
        return *this;
    }
    Statement& bind(int index, std::string_view value) {
        cursor_->bind_text(index, value);
        return *this;
    }
    Statement& bind(int index, std::nullopt_t) {
        cursor_->bind_null(index, false);
        return *this;
    }
    Statement& bind(int index, const std::optional<std::int64_t>& value) {
        if (value) return bind(index, *value);
        cursor_->bind_null(index, true);
        return *this;
    }

    bool step() { return cursor_->step(); }
    // Steps a statement that returns no rows; the number of rows it changed.
    int run() {
        while (step()) {
        }
        return cursor_->changes();
    }
    // Steps an `INSERT ... RETURNING id` and gives the id.
    std::int64_t insert_id() {
        if (!step()) throw StoreError(StoreError::Kind::unavailable, "store: no id returned");
        const auto id = int64(0);
        while (step()) {
        }
        return id;
    }

    std::int64_t int64(int column) const { return cursor_->int64(column); }
    std::string text(int column) const { return cursor_->text(column); }
    bool is_null(int column) const { return cursor_->is_null(column); }

  private:
    std::unique_ptr<Cursor> cursor_;
};

// The sessions table's columns in the order read_session() expects (store_history.cpp).
extern const char* const kSessionColumns;
SessionRecord read_session(const Statement& st);

// The audit table's columns in the order read_audit_event() expects (store_history.cpp).
extern const char* const kAuditColumns;
AuditEvent read_audit_event(const Statement& st);

// LIMIT for "no limit": both databases take a huge one (SQLite's -1 is an error to PostgreSQL).
inline std::int64_t limit_or_all(int limit) {
    return limit > 0 ? limit : INT64_MAX;
}

}  // namespace tandem::sql
