// RAII over sqlite3 statements and transactions, with SQLite result codes mapped to StoreError.
// Private to core: other components go through tandem::Store.
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

// BEGIN IMMEDIATE takes the write lock up front, so a read-then-write cannot fail half-way
// with SQLITE_BUSY (the busy timeout applies to BEGIN instead).
class Transaction {
  public:
    explicit Transaction(sqlite3* db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

  private:
    sqlite3* db_;
    bool done_ = false;
};

}  // namespace tandem::sqlite
