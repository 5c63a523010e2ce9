// The PostgreSQL backend (libpq): what a cluster of nodes shares. Store's `?`/`?N` parameters
// become `$N`; the schema version lives in a one-row table; a write transaction takes one
// advisory lock, the same single-writer rule SQLite's BEGIN IMMEDIATE gives.
#include <libpq-fe.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "sql_connection.hpp"

namespace tandem::sql {

const std::vector<const char*>& postgres_migrations();  // postgres_schema.cpp

namespace {

using Kind = StoreError::Kind;

// Any constant works ("tandem" in ASCII); every tandem process on the database takes it. A
// session lock: it goes with the connection when a process dies.
constexpr const char* kWriteLock = "SELECT pg_advisory_lock(127961812723053)";
constexpr const char* kWriteUnlock = "SELECT pg_advisory_unlock(127961812723053)";
constexpr unsigned kInt8Oid = 20;
constexpr unsigned kTextOid = 25;

std::string trimmed(const char* message) {
    std::string s = message ? message : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

[[noreturn]] void fail(const PGresult* res, PGconn* conn) {
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    const std::string code = state ? state : "";
    const std::string what =
        "store: " + trimmed(res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
    if (code == "23505") throw StoreError(Kind::duplicate, what);
    if (code.rfind("23", 0) == 0) throw StoreError(Kind::constraint, what);
    if (code == "XX001" || code == "XX002") throw StoreError(Kind::corrupt, what);
    throw StoreError(Kind::unavailable, what);
}

// PostgreSQL text holds valid UTF-8 without NUL, SQLite anything: bytes that would be refused
// (or cut at the NUL by libpq) are stored as U+FFFD, so a stray byte in an audit detail or a
// client string cannot make a write fail on one backend only.
std::string storable_text(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    const auto bad = [&out] { out += "\xEF\xBF\xBD"; };
    std::size_t i = 0;
    while (i < in.size()) {
        const auto c = static_cast<unsigned char>(in[i]);
        if (c == 0) {
            bad();
            ++i;
            continue;
        }
        if (c < 0x80) {
            out += static_cast<char>(c);
            ++i;
            continue;
        }
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (c >= 0xC2 && c <= 0xDF)
            len = 2, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            len = 3, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            len = 4, cp = c & 0x07;
        bool ok = len > 0 && i + len <= in.size();
        for (std::size_t k = 1; ok && k < len; ++k) {
            const auto cc = static_cast<unsigned char>(in[i + k]);
            ok = (cc & 0xC0) == 0x80;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Overlong forms, surrogates and code points past U+10FFFF are invalid too.
        ok = ok && !(len == 3 && cp < 0x800) && !(len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) &&
             !(cp >= 0xD800 && cp <= 0xDFFF);
        if (!ok) {
            bad();
            ++i;
            continue;
        }
        out.append(in.substr(i, len));
        i += len;
    }
    return out;
}

// `?` and `?N` (SQLite's) to `$N`, outside quotes; the number of parameters.
std::pair<std::string, int> numbered(std::string_view sql) {
    std::string out;
    int highest = 0;
    char quote = 0;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        const char c = sql[i];
        if (quote) {
            if (c == quote) quote = 0;
            out += c;
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            out += c;
            continue;
        }
        if (c != '?') {
            out += c;
            continue;
        }
        std::size_t j = i + 1;
        while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') ++j;
        const int n =
            j > i + 1 ? std::atoi(std::string(sql.substr(i + 1, j - i - 1)).c_str()) : highest + 1;
        highest = std::max(highest, n);
        out += '$' + std::to_string(n);
        i = j - 1;
    }
    return {out, highest};
}

class PostgresConnection;

class PostgresCursor final : public Cursor {
  public:
    PostgresCursor(PostgresConnection& db, std::string_view sql);
    ~PostgresCursor() override { PQclear(res_); }
    PostgresCursor(const PostgresCursor&) = delete;
    PostgresCursor& operator=(const PostgresCursor&) = delete;

    void bind_int64(int index, std::int64_t value) override {
        set(index, std::to_string(value), kInt8Oid);
    }
    void bind_text(int index, std::string_view value) override {
        set(index, storable_text(value), kTextOid);
    }
    void bind_null(int index, bool integer) override {
        if (index < 1 || index > static_cast<int>(values_.size())) return;
        values_[static_cast<std::size_t>(index - 1)].reset();
        types_[static_cast<std::size_t>(index - 1)] = integer ? kInt8Oid : 0;
    }

    bool step() override;
    int changes() const override {
        return res_ ? std::atoi(PQcmdTuples(const_cast<PGresult*>(res_))) : 0;
    }
    std::int64_t int64(int column) const override {
        const char* v = PQgetvalue(res_, row_, column);
        if (v[0] == 't' && v[1] == 0) return 1;  // a boolean expression's value
        if (v[0] == 'f' && v[1] == 0) return 0;
        return std::strtoll(v, nullptr, 10);
    }
    std::string text(int column) const override {
        return std::string(PQgetvalue(res_, row_, column),
                           static_cast<std::size_t>(PQgetlength(res_, row_, column)));
    }
    bool is_null(int column) const override { return PQgetisnull(res_, row_, column) != 0; }

  private:
    void set(int index, std::string value, unsigned oid) {
        if (index < 1 || index > static_cast<int>(values_.size())) return;
        values_[static_cast<std::size_t>(index - 1)] = std::move(value);
        types_[static_cast<std::size_t>(index - 1)] = oid;
    }

    PostgresConnection& db_;
    std::string sql_;
    std::vector<std::optional<std::string>> values_;
    std::vector<unsigned> types_;
    PGresult* res_ = nullptr;
    bool ran_ = false;
    int row_ = -1;
};

void ignore_notice(void*, const char*) {}

class PostgresConnection final : public Connection {
  public:
    explicit PostgresConnection(const std::string& url) {
        // The URL may set any of these; client_encoding is ours (text crosses as UTF-8).
        const char* keys[] = {"connect_timeout", "application_name", "dbname", "client_encoding",
                              nullptr};
        const char* values[] = {"10", "tandem", url.c_str(), "UTF8", nullptr};
        conn_ = PQconnectdbParams(keys, values, 1);
        if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
            const std::string why = trimmed(conn_ ? PQerrorMessage(conn_) : "out of memory");
            PQfinish(conn_);
            throw StoreError(Kind::unavailable, "cannot connect to store " +
                                                    redacted_store_location(url) + ": " + why);
        }
        PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
    }
    ~PostgresConnection() override { PQfinish(conn_); }
    PostgresConnection(const PostgresConnection&) = delete;
    PostgresConnection& operator=(const PostgresConnection&) = delete;

    std::unique_ptr<Cursor> prepare(std::string_view sql) override {
        return std::make_unique<PostgresCursor>(*this, sql);
    }
    void notify_access_change() override { exec("NOTIFY tandem_access"); }
    void exec(const std::string& sql) override {
        PGresult* res = run([&] { return PQexec(conn_, sql.c_str()); });
        const auto status = PQresultStatus(res);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            try {
                fail(res, conn_);
            } catch (...) {
                PQclear(res);
                throw;
            }
        }
        PQclear(res);
    }
    // The lock is taken before BEGIN: a transaction that began while another held it would
    // keep the catalog it saw at its start, and miss the tables a concurrent migration made.
    void begin_write() override {
        exec(kWriteLock);
        in_transaction_ = true;
        try {
            exec("BEGIN");
        } catch (...) {
            rollback();
            throw;
        }
    }
    void commit() override {
        try {
            exec("COMMIT");
        } catch (...) {
            rollback();
            throw;
        }
        in_transaction_ = false;
        PQclear(PQexec(conn_, kWriteUnlock));
    }
    void rollback() noexcept override {
        in_transaction_ = false;
        PQclear(PQexec(conn_, "ROLLBACK"));
        PQclear(PQexec(conn_, kWriteUnlock));
    }
    int schema_version() override {
        PostgresCursor exists(*this, "SELECT to_regclass('tandem_schema') IS NOT NULL");
        if (!exists.step() || exists.int64(0) == 0) return 0;
        PostgresCursor st(*this, "SELECT version FROM tandem_schema");
        return st.step() ? static_cast<int>(st.int64(0)) : 0;
    }
    void set_schema_version(int version) override {
        exec(
            "CREATE TABLE IF NOT EXISTS tandem_schema (version INTEGER NOT NULL); "
            "DELETE FROM tandem_schema; INSERT INTO tandem_schema VALUES (" +
            std::to_string(version) + ")");
    }
    const std::vector<const char*>& migrations() const override { return postgres_migrations(); }

    // Runs one libpq call; when the server went away (a restart, a failover) outside a
    // transaction, reconnects once and runs it again, so a long-lived broker outlives it.
    template <typename Call>
    PGresult* run(Call call) {
        PGresult* res = call();
        if (PQstatus(conn_) == CONNECTION_BAD && !in_transaction_) {
            PQclear(res);
            PQreset(conn_);
            if (PQstatus(conn_) != CONNECTION_OK) fail(nullptr, conn_);
            PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
            res = call();
        }
        if (!res) fail(nullptr, conn_);
        return res;
    }
    PGconn* conn() const { return conn_; }

  private:
    PGconn* conn_ = nullptr;
    bool in_transaction_ = false;
};

PostgresCursor::PostgresCursor(PostgresConnection& db, std::string_view sql) : db_(db) {
    auto [text, count] = numbered(sql);
    sql_ = std::move(text);
    values_.resize(static_cast<std::size_t>(count));
    types_.resize(static_cast<std::size_t>(count), 0);
}

bool PostgresCursor::step() {
    if (!ran_) {
        ran_ = true;
        std::vector<const char*> values(values_.size(), nullptr);
        for (std::size_t i = 0; i < values_.size(); ++i)
            if (values_[i]) values[i] = values_[i]->c_str();
        res_ = db_.run([&] {
            return PQexecParams(db_.conn(), sql_.c_str(), static_cast<int>(values.size()),
                                types_.data(), values.data(), nullptr, nullptr, 0);
        });
        const auto status = PQresultStatus(res_);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(res_, db_.conn());
    }
    ++row_;
    return row_ < PQntuples(res_);
}

}  // namespace

std::unique_ptr<Connection> open_postgres(const std::string& url) {
    return std::make_unique<PostgresConnection>(url);
}

}  // namespace tandem::sql
