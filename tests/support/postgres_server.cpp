#include "postgres_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace tandem::test_support {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kSuperuser = "tandem";
constexpr const char* kDatabasePrefix = "tandem_test_";
constexpr int kPortAttempts = 5;
constexpr auto kInitdbTimeout = 120s;  // seconds normally; generous for a loaded 2-core machine
constexpr auto kReadyTimeout = 30s;
constexpr auto kStopTimeout = 10s;

std::string errno_text(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

// "15" > "9.6" > "9.5": compared number by number, not as text.
std::vector<long> version_of(const std::string& name) {
    std::vector<long> parts;
    const char* p = name.c_str();
    while (*p != '\0') {
        char* end = nullptr;
        const long part = std::strtol(p, &end, 10);
        if (end == p) return {};
        parts.push_back(part);
        if (*end == '.')
            p = end + 1;
        else if (*end == '\0')
            p = end;
        else
            return {};
    }
    return parts;
}

// The bin directory of the newest installed server (Debian lays them out side by side).
std::string find_bin_dir() {
    glob_t found{};
    const int rc = ::glob("/usr/lib/postgresql/*/bin/initdb", 0, nullptr, &found);
    std::string best;
    std::vector<long> best_version;
    for (std::size_t i = 0; rc == 0 && i < found.gl_pathc; ++i) {
        const fs::path bin = fs::path(found.gl_pathv[i]).parent_path();
        const auto version = version_of(bin.parent_path().filename().string());
        if (::access((bin / "initdb").c_str(), X_OK) != 0 ||
            ::access((bin / "postgres").c_str(), X_OK) != 0)
            continue;
        if (best.empty() || version > best_version) {
            best = bin.string();
            best_version = version;
        }
    }
    ::globfree(&found);
    if (best.empty())
        throw std::runtime_error(
            "no PostgreSQL server found (/usr/lib/postgresql/*/bin/initdb; Debian: apt install "
            "postgresql)");
    return best;
}

std::string make_temp_dir() {
    const char* env = std::getenv("TMPDIR");
    std::string base = fs::absolute(env != nullptr && *env != '\0' ? env : "/tmp").string();
    // The server's Unix socket is DIR/.s.PGSQL.PORT, and a socket path has at most 107 bytes.
    if (base.size() + sizeof("/tandem-pg-XXXXXX/.s.PGSQL.65535") > sizeof(sockaddr_un::sun_path))
        base = "/tmp";
    std::string tmpl = base + "/tandem-pg-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error(errno_text("mkdtemp " + tmpl));
    return tmpl;
}

// A loopback port the kernel just handed out and released. Another process may take it before
// postgres binds it: start() retries then.
int free_loopback_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        const std::string error = errno_text("cannot find a free port on 127.0.0.1");
        if (fd >= 0) ::close(fd);
        throw std::runtime_error(error);
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

struct RunAs {
    bool switch_user = false;
    uid_t uid = 0;
    gid_t gid = 0;
};

void child_error(const char* what, const char* detail) {
    for (const char* s : {what, detail, "\n"})
        if (::write(2, s, std::strlen(s)) < 0) break;
}

// Forks and execs argv[0] with stdout and stderr into log_fd, in dir, as `as`. Between fork and
// exec only async-signal-safe calls: the test process may have threads.
pid_t spawn(const std::vector<std::string>& argv, int log_fd, const std::string& dir,
            const RunAs& as, int death_signal) {
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    const char* cwd = dir.c_str();
    const long max_fd = ::sysconf(_SC_OPEN_MAX);
    const int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull < 0) throw std::runtime_error(errno_text("open /dev/null"));
    const pid_t parent = ::getpid();

    const pid_t pid = ::fork();
    if (pid < 0) {
        const std::string error = errno_text("fork");
        ::close(devnull);
        throw std::runtime_error(error);
    }
    if (pid == 0) {
        if (::dup2(devnull, 0) < 0 || ::dup2(log_fd, 1) < 0 || ::dup2(log_fd, 2) < 0) ::_exit(127);
        // The test's own descriptors (sockets, pipe ends) must not live on in a server that
        // outlasts the test: a peer waiting for EOF would hang.
        if (::close_range(3, ~0U, 0) != 0)
            for (long fd = 3; fd < max_fd; ++fd) ::close(static_cast<int>(fd));
        if (as.switch_user &&
            (::setgroups(0, nullptr) != 0 || ::setgid(as.gid) != 0 || ::setuid(as.uid) != 0)) {
            child_error("cannot switch to the user to run PostgreSQL as", "");
            ::_exit(126);
        }
        // After setuid, which would clear it. If the test process dies without stopping the
        // server (ctest's timeout kills it), the server shuts down instead of lingering.
        if (::prctl(PR_SET_PDEATHSIG, death_signal) != 0 || ::getppid() != parent) ::_exit(125);
        if (::chdir(cwd) != 0) {
            child_error("cannot enter ", cwd);
            ::_exit(126);
        }
        ::execv(args[0], args.data());
        child_error("cannot execute ", args[0]);
        ::_exit(127);
    }
    ::close(devnull);
    return pid;
}

// Waits for pid until the deadline. True, with its wait status, when it has exited.
bool wait_until(pid_t pid, Clock::time_point deadline, int& status) {
    for (;;) {
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) return true;
        if (r < 0 && errno != EINTR) {
            status = -1;  // reaped by someone else (SIGCHLD ignored): gone all the same
            return true;
        }
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(10ms);  // polling a condition, not waiting on time
    }
}

std::string describe_status(int status) {
    if (status == -1) return "exited";
    if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
    return "stopped";
}

std::string read_from(const std::string& path, std::streamoff offset) {
    std::ifstream in(path, std::ios::binary);
    in.seekg(offset);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string last_lines(const std::string& path, std::size_t count = 30) {
    std::ifstream in(path);
    std::deque<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        lines.push_back(std::move(line));
        if (lines.size() > count) lines.pop_front();
    }
    std::string out = "last lines of " + path + ":\n";
    for (const auto& line : lines) out += "  " + line + "\n";
    return out;
}

int open_log(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error(errno_text("open " + path));
    return fd;
}

std::streamoff size_of(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_size : 0;
}

struct ConnectionCloser {
    void operator()(PGconn* conn) const { PQfinish(conn); }
};
using Connection = std::unique_ptr<PGconn, ConnectionCloser>;

// Connects without letting the environment (PGSSLMODE, PGGSSENCMODE) ask for what this server
// has not got.
Connection open_connection(const std::string& url) {
    const char* keys[] = {"dbname", "connect_timeout", "sslmode", "gssencmode", nullptr};
    const char* values[] = {url.c_str(), "10", "disable", "disable", nullptr};
    return Connection(PQconnectdbParams(keys, values, 1));
}

Connection connect_or_throw(const std::string& url) {
    Connection conn = open_connection(url);
    if (!conn) throw std::runtime_error("libpq: out of memory");
    if (PQstatus(conn.get()) != CONNECTION_OK)
        throw std::runtime_error("cannot connect to " + url + ": " + PQerrorMessage(conn.get()));
    return conn;
}

void execute(PGconn* conn, const std::string& sql) {
    PGresult* result = PQexec(conn, sql.c_str());
    const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
    PQclear(result);
    if (!ok) throw std::runtime_error(sql + ": " + PQerrorMessage(conn));
}

// 32 hex digits from the OS's CSPRNG.
std::string random_password() {
    unsigned char bytes[16];
    std::ifstream urandom("/dev/urandom", std::ios::binary);
    if (!urandom.read(reinterpret_cast<char*>(bytes), sizeof bytes))
        throw std::runtime_error("cannot read /dev/urandom");
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char b : bytes) {
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

}  // namespace

PostgresServer& PostgresServer::shared() {
    // Built on first use (thread-safe), destroyed by the static destructors at exit.
    static PostgresServer server;
    return server;
}

PostgresServer::PostgresServer() : owner_(::getpid()) {
    try {
        start();
    } catch (...) {
        stop();
        throw;
    }
}

PostgresServer::~PostgresServer() {
    // A forked child that exits runs this destructor too; the server is its parent's.
    if (::getpid() == owner_) stop();
}

void PostgresServer::start() {
    const std::string bin_dir = find_bin_dir();
    dir_ = make_temp_dir();
    RunAs as;
    if (::geteuid() == 0) {
        // initdb and postgres refuse to run as root.
        const passwd* nobody = ::getpwnam("nobody");
        if (nobody == nullptr)
            throw std::runtime_error("running as root, and no user nobody to run PostgreSQL as");
        as = {true, nobody->pw_uid, nobody->pw_gid};
        if (::chown(dir_.c_str(), as.uid, as.gid) != 0)
            throw std::runtime_error(errno_text("chown " + dir_ + " to nobody"));
    }
    const std::string data_dir = dir_ + "/data";

    // A random superuser password (scram-sha-256): other local users can reach 127.0.0.1 while
    // the tests run, and a PostgreSQL superuser can run programs as the server's user.
    password_ = random_password();
    const std::string pwfile = dir_ + "/pwfile";
    {
        std::ofstream out(pwfile);
        out << password_ << "\n";
    }
    ::chmod(pwfile.c_str(), 0600);
    if (as.switch_user && ::chown(pwfile.c_str(), as.uid, as.gid) != 0)
        throw std::runtime_error(errno_text("chown " + pwfile + " to nobody"));
    const std::string initdb_log = dir_ + "/initdb.log";
    const int initdb_fd = open_log(initdb_log);
    pid_t initdb = -1;
    try {
        initdb = spawn({bin_dir + "/initdb", "-D", data_dir, "-A", "scram-sha-256", "--pwfile",
                        pwfile, "-U", kSuperuser, "-E", "UTF8", "--locale=C", "--no-sync"},
                       initdb_fd, dir_, as, SIGKILL);
    } catch (...) {
        ::close(initdb_fd);
        throw;
    }
    ::close(initdb_fd);
    int status = 0;
    if (!wait_until(initdb, Clock::now() + kInitdbTimeout, status)) {
        ::kill(initdb, SIGKILL);
        ::waitpid(initdb, &status, 0);
        throw std::runtime_error("initdb did not finish in time\n" + last_lines(initdb_log));
    }
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        const std::string hint = as.switch_user ? " (it ran as nobody: every directory above " +
                                                      dir_ + " must be searchable by nobody)"
                                                : "";
        throw std::runtime_error("initdb " + describe_status(status) + hint + "\n" +
                                 last_lines(initdb_log));
    }

    const std::string log = dir_ + "/postgres.log";
    for (int attempt = 1;; ++attempt) {
        port_ = free_loopback_port();
        const std::streamoff log_start = size_of(log);
        const int log_fd = open_log(log);
        try {
            postmaster_ = spawn({bin_dir + "/postgres", "-D", data_dir, "-p", std::to_string(port_),
                                 "-k", dir_, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                                 "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c",
                                 "max_connections=200", "-c", "shared_buffers=16MB"},
                                log_fd, dir_, as, SIGQUIT);  // SIGQUIT: immediate shutdown
        } catch (...) {
            ::close(log_fd);
            throw;
        }
        ::close(log_fd);

        // Ready means a client gets in, not just that the port is open: postgres refuses
        // connections while it starts up.
        const auto deadline = Clock::now() + kReadyTimeout;
        std::string last_error;
        for (;;) {
            Connection conn = open_connection(admin_url());
            if (conn && PQstatus(conn.get()) == CONNECTION_OK) return;
            if (conn) last_error = PQerrorMessage(conn.get());
            if (wait_until(postmaster_, Clock::now(), status)) {
                postmaster_ = -1;
                break;
            }
            if (Clock::now() >= deadline)
                throw std::runtime_error("PostgreSQL did not accept connections within 30 s: " +
                                         last_error + last_lines(log));
            std::this_thread::sleep_for(20ms);
        }
        // It exited. Another process may have taken the port since we picked it.
        if (attempt < kPortAttempts &&
            read_from(log, log_start).find("already in use") != std::string::npos)
            continue;
        throw std::runtime_error("postgres " + describe_status(status) + " on port " +
                                 std::to_string(port_) + "\n" + last_lines(log));
    }
}

void PostgresServer::stop() noexcept {
    try {
        if (postmaster_ > 0) {
            // SIGINT: fast shutdown, which ends open sessions instead of waiting for them.
            ::kill(postmaster_, SIGINT);
            int status = 0;
            if (!wait_until(postmaster_, Clock::now() + kStopTimeout, status)) {
                ::kill(postmaster_, SIGKILL);
                while (::waitpid(postmaster_, &status, 0) < 0 && errno == EINTR) {
                }
            }
            postmaster_ = -1;
        }
        if (!dir_.empty()) {
            // After a SIGKILL the server's children may write on for a moment, until they
            // notice the postmaster is gone: a removal can race them.
            std::error_code ec;
            for (int tries = 0; tries < 100; ++tries) {
                ec.clear();
                fs::remove_all(dir_, ec);
                if (!ec) break;
                std::this_thread::sleep_for(20ms);
            }
            dir_.clear();
        }
    } catch (...) {
        // A destructor must not throw; at worst a temp dir is left behind.
    }
}

std::string PostgresServer::url_prefix() const {
    return std::string("postgresql://") + kSuperuser + ":" + password_ +
           "@127.0.0.1:" + std::to_string(port_) + "/";
}

std::string PostgresServer::admin_url() const {
    return url_prefix() + "postgres";
}

std::string PostgresServer::create_database() {
    // The pid too: a forked child may create databases on its parent's server.
    const std::string name = kDatabasePrefix + std::to_string(::getpid()) + "_" +
                             std::to_string(databases_.fetch_add(1) + 1);
    Connection conn = connect_or_throw(admin_url());
    execute(conn.get(), "CREATE DATABASE " + name);
    return url_prefix() + name;
}

void PostgresServer::drop_database(const std::string& url) {
    const std::string prefix = url_prefix() + kDatabasePrefix;
    const std::string name = url.substr(std::min(url.size(), url_prefix().size()));
    if (url.rfind(prefix, 0) != 0 ||
        name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
        throw std::invalid_argument("not a database PostgresServer created: " + url);
    Connection conn = connect_or_throw(admin_url());
    // FORCE: a connection a test left open must not make the drop fail.
    execute(conn.get(), "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
}

}  // namespace tandem::test_support
