// RAII over sqlite3 statements, with SQLite result codes mapped to StoreError (transactions:
// StoreTransaction in tandem/store.hpp). Private to core: other components go through Store.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tandem/store.hpp"

namespace tandem::sqlite {

// Throws the StoreError matching rc (an extended result code), with db's message.
[[noreturn]] void fail(sqlite3* db, int rc, std::string_view context);

// Runs SQL without results (may hold several statements).
void exec(sqlite3* db, const char* sql);

class Statement {
  public:
    Statement(sqlite3* db, std::string_view sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Binds are 1-based, like SQLite's.
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, std::nullopt_t);
    Statement& bind(int index, const std::optional<std::int64_t>& value);

    // True while a row is available; throws StoreError on failure.
    bool step();
    // Steps a statement that returns no rows; the number of rows it changed.
    int run();

    std::int64_t int64(int column) const;
    std::string text(int column) const;
    bool is_null(int column) const;

  private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

// The sessions table's columns in the order read_session() expects (store_history.cpp).
extern const char* const kSessionColumns;
SessionRecord read_session(const Statement& st);

// The audit table's columns in the order read_audit_event() expects (store_history.cpp).
extern const char* const kAuditColumns;
AuditEvent read_audit_event(const Statement& st);

}  // namespace tandem::sqlite
