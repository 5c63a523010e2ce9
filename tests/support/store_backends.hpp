// Where a store test keeps its store, on each backend: a SQLite file in a fresh temporary
// directory, or a fresh database on the test process's PostgreSQL server. Store tests are
// parameterised over StoreBackend so that each runs against both.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "support/postgres_server.hpp"

namespace tandem::test_support {

enum class StoreBackend { sqlite, postgres };

inline std::string backend_name(const ::testing::TestParamInfo<StoreBackend>& info) {
    return info.param == StoreBackend::sqlite ? "Sqlite" : "Postgres";
}

class StoreLocation {
  public:
    explicit StoreLocation(StoreBackend backend) : backend_(backend) {
        char tmpl[] = "/tmp/tandem-store-test-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        location_ = backend == StoreBackend::sqlite ? dir_ + "/tandem.db"
                                                    : PostgresServer::shared().create_database();
    }
    ~StoreLocation() {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
        if (backend_ == StoreBackend::postgres) {
            try {
                PostgresServer::shared().drop_database(location_);
            } catch (...) {
                // The server's directory goes with the process anyway.
            }
        }
    }
    StoreLocation(const StoreLocation&) = delete;
    StoreLocation& operator=(const StoreLocation&) = delete;

    // What Store::open takes: a file path or a postgresql:// URL.
    const std::string& location() const { return location_; }
    // A scratch directory of the test's own, on both backends.
    const std::string& dir() const { return dir_; }
    StoreBackend backend() const { return backend_; }

  private:
    StoreBackend backend_;
    std::string dir_;
    std::string location_;
};

}  // namespace tandem::test_support
