// A throwaway PostgreSQL server for tests: its own cluster in a temporary directory, listening
// only on 127.0.0.1 (and a Unix socket inside that directory), stopped and deleted with its
// owner. It never touches a system-wide cluster: it runs the server binaries directly.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <string>

namespace tandem::test_support {

class PostgresServer {
  public:
    // The process's one server, started on first use and stopped at exit. Each test process
    // (under ctest: each test) that uses it pays one start-up; create_database() isolates tests.
    // First use from the main thread (see the constructor).
    static PostgresServer& shared();

    // Starts a server (initdb, then postgres), or throws std::runtime_error with the end of its
    // log. The thread that constructs it must outlive it: the server is told to shut down when
    // that thread ends (so a killed test process leaves no server behind).
    explicit PostgresServer();
    // Stops the server and removes its directory. Does nothing in a forked child of the owner.
    ~PostgresServer();
    PostgresServer(const PostgresServer&) = delete;
    PostgresServer& operator=(const PostgresServer&) = delete;

    // postgresql://tandem:PASSWORD@127.0.0.1:PORT/postgres (the superuser).
    std::string admin_url() const;
    // A new, empty database (unique name from pid and counter); returns its URL. Thread-safe.
    std::string create_database();
    // Drops a database create_database() returned, closing its open connections. Throws
    // std::invalid_argument for any other URL. Thread-safe.
    void drop_database(const std::string& url);
    int port() const { return port_; }

  private:
    void start();
    void stop() noexcept;
    std::string url_prefix() const;  // postgresql://tandem@127.0.0.1:PORT/

    std::string dir_;       // the temp dir: data/, the Unix socket, the logs
    std::string password_;  // the superuser's, random
    int port_ = 0;
    pid_t postmaster_ = -1;
    pid_t owner_ = -1;  // the process that started it: only it stops it
    std::atomic<unsigned> databases_{0};
};

}  // namespace tandem::test_support
