#include "sqlite_statement.hpp"

namespace tandem::sqlite {

void fail(sqlite3* db, int rc, std::string_view context) {
    std::string what(context);
    what += ": ";
    what += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    using Kind = StoreError::Kind;
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

void exec(sqlite3* db, const char* sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
    sqlite3_free(message);  // sqlite3_errmsg(db) still holds the text for fail()
    if (rc != SQLITE_OK) fail(db, sqlite3_extended_errcode(db), "store");
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
    const int rc =
        sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
    if (rc != SQLITE_OK) fail(db, sqlite3_extended_errcode(db), "store");
}

Statement::~Statement() {
    sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, std::int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement& Statement::bind(int index, std::nullopt_t) {
    sqlite3_bind_null(stmt_, index);
    return *this;
}

Statement& Statement::bind(int index, const std::optional<std::int64_t>& value) {
    return value ? bind(index, *value) : bind(index, std::nullopt);
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, sqlite3_extended_errcode(db_), "store");
}

int Statement::run() {
    while (step()) {
    }
    return sqlite3_changes(db_);
}

std::int64_t Statement::int64(int column) const {
    return sqlite3_column_int64(stmt_, column);
}

std::string Statement::text(int column) const {
    const auto* p = sqlite3_column_text(stmt_, column);
    if (!p) return {};
    return std::string(reinterpret_cast<const char*>(p),
                       static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

bool Statement::is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

}  // namespace tandem::sqlite
