// The SQLite backend: one file in WAL mode with a busy timeout, schema version in
// PRAGMA user_version, SQLite result codes mapped to StoreError.
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "sql_connection.hpp"

namespace tandem::sql {

const std::vector<const char*>& sqlite_migrations();  // sqlite_schema.cpp

namespace {

using Kind = StoreError::Kind;

constexpr int kBusyTimeoutMs = 5000;

// Throws the StoreError matching rc (an extended result code), with db's message.
[[noreturn]] void fail(sqlite3* db, int rc, std::string_view context) {
    std::string what(context);
    what += ": ";
    what += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    switch (rc) {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
            throw StoreError(Kind::duplicate, what);
        case SQLITE_NOTADB:
        case SQLITE_CORRUPT:
        case SQLITE_CORRUPT_VTAB:
        case SQLITE_CORRUPT_SEQUENCE:
        case SQLITE_CORRUPT_INDEX:
            throw StoreError(Kind::corrupt, what);
        default:
            break;
    }
    if ((rc & 0xff) == SQLITE_CONSTRAINT) throw StoreError(Kind::constraint, what);
    throw StoreError(Kind::unavailable, what);
}

void exec_on(sqlite3* db, const char* sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
    sqlite3_free(message);  // sqlite3_errmsg(db) still holds the text for fail()
    if (rc != SQLITE_OK) fail(db, sqlite3_extended_errcode(db), "store");
}

class SqliteCursor final : public Cursor {
  public:
    SqliteCursor(sqlite3* db, std::string_view sql) : db_(db) {
        const int rc =
            sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
        if (rc != SQLITE_OK) fail(db, sqlite3_extended_errcode(db), "store");
    }
    ~SqliteCursor() override { sqlite3_finalize(stmt_); }
    SqliteCursor(const SqliteCursor&) = delete;
    SqliteCursor& operator=(const SqliteCursor&) = delete;

    void bind_int64(int index, std::int64_t value) override {
        sqlite3_bind_int64(stmt_, index, value);
    }
    void bind_text(int index, std::string_view value) override {
        sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                          SQLITE_TRANSIENT);
    }
    void bind_null(int index, bool) override { sqlite3_bind_null(stmt_, index); }

    bool step() override {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        fail(db_, sqlite3_extended_errcode(db_), "store");
    }
    int changes() const override { return sqlite3_changes(db_); }

    std::int64_t int64(int column) const override { return sqlite3_column_int64(stmt_, column); }
    std::string text(int column) const override {
        const auto* p = sqlite3_column_text(stmt_, column);
        if (!p) return {};
        return std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
    }
    bool is_null(int column) const override {
        return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
    }

  private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

class SqliteConnection final : public Connection {
  public:
    explicit SqliteConnection(sqlite3* db) : db_(db) {}
    ~SqliteConnection() override { sqlite3_close(db_); }
    SqliteConnection(const SqliteConnection&) = delete;
    SqliteConnection& operator=(const SqliteConnection&) = delete;

    std::unique_ptr<Cursor> prepare(std::string_view sql) override {
        return std::make_unique<SqliteCursor>(db_, sql);
    }
    void exec(const std::string& sql) override { exec_on(db_, sql.c_str()); }
    // IMMEDIATE takes the write lock up front; the busy timeout applies to BEGIN instead.
    void begin_write() override { exec_on(db_, "BEGIN IMMEDIATE"); }
    void commit() override { exec_on(db_, "COMMIT"); }
    void rollback() noexcept override { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }
    int schema_version() override {
        SqliteCursor st(db_, "PRAGMA user_version");
        return st.step() ? static_cast<int>(st.int64(0)) : 0;
    }
    void set_schema_version(int version) override {
        exec_on(db_, ("PRAGMA user_version = " + std::to_string(version)).c_str());
    }
    const std::vector<const char*>& migrations() const override { return sqlite_migrations(); }
    sqlite3* sqlite_handle() const override { return db_; }

  private:
    sqlite3* db_;
};

// SQLite creates files 0644; the store holds credentials, so it is created 0600 first.
// Its -wal and -shm files inherit the database file's mode.
void create_private_file(const std::string& path) {
    if (path.empty() || path == ":memory:") return;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) {
        ::close(fd);
        return;
    }
    if (errno != EEXIST)
        throw StoreError(Kind::unavailable,
                         "cannot create store " + path + ": " + std::strerror(errno));
}

// Switching to WAL needs a moment of exclusive access; a concurrent first open of the same
// file can see SQLITE_BUSY here without the busy handler, so retry within the same budget.
void enable_wal(sqlite3* db) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
    for (;;) {
        try {
            SqliteCursor st(db, "PRAGMA journal_mode=WAL");
            if (st.step() && st.text(0) != "wal" && st.text(0) != "memory")
                throw StoreError(Kind::unavailable, "store: cannot enable WAL mode");
            return;
        } catch (const StoreError& e) {
            const int rc = sqlite3_errcode(db);
            if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) ||
                std::chrono::steady_clock::now() > deadline)
                throw;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
}

}  // namespace

std::unique_ptr<Connection> open_sqlite(const std::string& path, bool create) {
    if (!create && ::access(path.c_str(), F_OK) != 0)
        throw StoreError(Kind::unavailable, "store " + path + " does not exist");
    if (create) create_private_file(path);
    sqlite3* db = nullptr;
    const int flags =
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string what =
            "cannot open store " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        if (!create && (rc == SQLITE_CANTOPEN)) what = "store " + path + " does not exist";
        sqlite3_close(db);
        throw StoreError(Kind::unavailable, what);
    }
    auto connection = std::make_unique<SqliteConnection>(db);
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    enable_wal(db);
    exec_on(db, "PRAGMA foreign_keys = ON");
    exec_on(db, "PRAGMA synchronous = NORMAL");  // durable enough under WAL
    return connection;
}

}  // namespace tandem::sql
