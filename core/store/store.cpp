// Store: opening, migrations, users and their keys. Hosts/accounts/grants live in
// store_access.cpp, sessions and audit in store_history.cpp.
#include "tandem/store.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "sqlite_statement.hpp"
#include "store_schema.hpp"

namespace tandem {
namespace {

using sqlite::Statement;
using Kind = StoreError::Kind;

constexpr int kBusyTimeoutMs = 5000;

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

int user_version(sqlite3* db) {
    Statement st(db, "PRAGMA user_version");
    return st.step() ? static_cast<int>(st.int64(0)) : 0;
}

// Switching to WAL needs a moment of exclusive access; a concurrent first open of the same
// file can see SQLITE_BUSY here without the busy handler, so retry within the same budget.
void enable_wal(sqlite3* db) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
    for (;;) {
        try {
            Statement st(db, "PRAGMA journal_mode=WAL");
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

void migrate(sqlite3* db) {
    const auto& steps = schema_migrations();
    const int latest = static_cast<int>(steps.size());
    if (user_version(db) == latest) return;
    for (;;) {
        StoreTransaction tx(db);
        const int version = user_version(db);  // re-read under the write lock: others migrate too
        if (version > latest)
            throw StoreError(Kind::unavailable, "store schema version " + std::to_string(version) +
                                                    " is newer than this tandem understands (" +
                                                    std::to_string(latest) + ")");
        if (version == latest) return;
        sqlite::exec(db, steps[static_cast<std::size_t>(version)]);
        sqlite::exec(db, ("PRAGMA user_version = " + std::to_string(version + 1)).c_str());
        tx.commit();
    }
}

sqlite3* open_db(const std::string& path, bool create) {
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
    try {
        sqlite3_extended_result_codes(db, 1);
        sqlite3_busy_timeout(db, kBusyTimeoutMs);
        enable_wal(db);
        sqlite::exec(db, "PRAGMA foreign_keys = ON");
        sqlite::exec(db, "PRAGMA synchronous = NORMAL");  // durable enough under WAL
        migrate(db);
    } catch (const StoreError& e) {
        sqlite3_close(db);
        if (e.kind() == Kind::corrupt)
            throw StoreError(Kind::corrupt, "store " + path +
                                                " is not a tandem database or is "
                                                "corrupt (" +
                                                e.what() + ")");
        throw;
    }
    return db;
}

User read_user(const Statement& st) {
    User u;
    u.id = st.int64(0);
    u.name = st.text(1);
    u.is_admin = st.int64(2) != 0;
    u.password_hash = st.text(3);
    u.created_at = st.int64(4);
    u.disabled = st.int64(5) != 0;
    u.is_auditor = st.int64(6) != 0;
    return u;
}

constexpr const char* kUserColumns =
    "id, name, is_admin, password_hash, created_at, disabled, is_auditor";

}  // namespace

UnixTime now_unix() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Store Store::open(const std::string& path) {
    return Store(open_db(path, true));
}

Store Store::open_existing(const std::string& path) {
    if (::access(path.c_str(), F_OK) != 0)
        throw StoreError(Kind::unavailable, "store " + path + " does not exist");
    return Store(open_db(path, false));
}

Store::Store(Store&& other) noexcept : db_(other.db_) {
    other.db_ = nullptr;
}

Store& Store::operator=(Store&& other) noexcept {
    if (this != &other) {
        sqlite3_close(db_);
        db_ = other.db_;
        other.db_ = nullptr;
    }
    return *this;
}

Store::~Store() {
    sqlite3_close(db_);
}

int Store::schema_version() const {
    return user_version(db_);
}

Id Store::add_user(const std::string& name, bool is_admin, const std::string& password_hash) {
    Statement st(db_,
                 "INSERT INTO users (name, is_admin, password_hash, created_at) VALUES (?,?,?,?)");
    st.bind(1, name).bind(2, std::int64_t{is_admin}).bind(3, password_hash).bind(4, now_unix());
    try {
        st.run();
    } catch (const StoreError& e) {
        if (e.kind() == Kind::duplicate)
            throw StoreError(Kind::duplicate, "user '" + name + "' already exists");
        throw;
    }
    return sqlite3_last_insert_rowid(db_);
}

std::optional<User> Store::find_user(const std::string& name) const {
    Statement st(db_, std::string("SELECT ") + kUserColumns + " FROM users WHERE name = ?");
    st.bind(1, name);
    if (!st.step()) return std::nullopt;
    return read_user(st);
}

std::vector<User> Store::list_users() const {
    Statement st(db_, std::string("SELECT ") + kUserColumns + " FROM users ORDER BY name");
    std::vector<User> users;
    while (st.step()) users.push_back(read_user(st));
    return users;
}

void Store::set_password_hash(const std::string& name, const std::string& password_hash) {
    Statement st(db_, "UPDATE users SET password_hash = ? WHERE name = ?");
    st.bind(1, password_hash).bind(2, name);
    if (st.run() == 0) throw StoreError(Kind::not_found, "unknown user '" + name + "'");
}

void Store::delete_user(const std::string& name) {
    Statement st(db_, "DELETE FROM users WHERE name = ?");
    st.bind(1, name);
    if (st.run() == 0) throw StoreError(Kind::not_found, "unknown user '" + name + "'");
}

void Store::set_user_disabled(const std::string& name, bool disabled) {
    Statement st(db_, "UPDATE users SET disabled = ? WHERE name = ?");
    st.bind(1, std::int64_t{disabled}).bind(2, name);
    if (st.run() == 0) throw StoreError(Kind::not_found, "unknown user '" + name + "'");
}

void Store::set_user_roles(const std::string& name, bool is_admin, bool is_auditor) {
    Statement st(db_, "UPDATE users SET is_admin = ?, is_auditor = ? WHERE name = ?");
    st.bind(1, std::int64_t{is_admin}).bind(2, std::int64_t{is_auditor}).bind(3, name);
    if (st.run() == 0) throw StoreError(Kind::not_found, "unknown user '" + name + "'");
}

void Store::delete_user_key(Id user_id, const std::string& fingerprint) {
    Statement st(db_, "DELETE FROM user_keys WHERE user_id = ? AND fingerprint = ?");
    st.bind(1, user_id).bind(2, fingerprint);
    if (st.run() == 0) throw StoreError(Kind::not_found, "no key " + fingerprint);
}

Id Store::add_user_key(Id user_id, const UserKey& key) {
    Statement st(db_,
                 "INSERT INTO user_keys (user_id, type, blob, fingerprint, comment, created_at) "
                 "VALUES (?,?,?,?,?,?)");
    st.bind(1, user_id)
        .bind(2, key.type)
        .bind(3, key.blob_base64)
        .bind(4, key.fingerprint)
        .bind(5, key.comment)
        .bind(6, now_unix());
    try {
        st.run();
    } catch (const StoreError& e) {
        if (e.kind() == Kind::duplicate) {
            const auto owner = find_user_by_key(key.type, key.blob_base64);
            throw StoreError(Kind::duplicate,
                             "key " + (key.fingerprint.empty() ? key.type : key.fingerprint) +
                                 " is already registered" +
                                 (owner ? " to user '" + owner->name + "'" : std::string()));
        }
        if (e.kind() == Kind::constraint)
            throw StoreError(Kind::not_found, "no user with id " + std::to_string(user_id));
        throw;
    }
    return sqlite3_last_insert_rowid(db_);
}

std::vector<UserKey> Store::user_keys(Id user_id) const {
    Statement st(db_,
                 "SELECT id, user_id, type, blob, fingerprint, comment FROM user_keys "
                 "WHERE user_id = ? ORDER BY id");
    st.bind(1, user_id);
    std::vector<UserKey> keys;
    while (st.step()) {
        UserKey k;
        k.id = st.int64(0);
        k.user_id = st.int64(1);
        k.type = st.text(2);
        k.blob_base64 = st.text(3);
        k.fingerprint = st.text(4);
        k.comment = st.text(5);
        keys.push_back(std::move(k));
    }
    return keys;
}

std::optional<User> Store::find_user_by_key(const std::string& type,
                                            const std::string& blob_base64) const {
    Statement st(db_,
                 "SELECT u.id, u.name, u.is_admin, u.password_hash, u.created_at, u.disabled, "
                 "u.is_auditor "
                 "FROM user_keys k JOIN users u ON u.id = k.user_id "
                 "WHERE k.type = ? AND k.blob = ?");
    st.bind(1, type).bind(2, blob_base64);
    if (!st.step()) return std::nullopt;
    return read_user(st);
}

StoreTransaction::StoreTransaction(Store& store) : StoreTransaction(store.handle()) {}

StoreTransaction::StoreTransaction(sqlite3* db) : db_(db) {
    sqlite::exec(db_, "BEGIN IMMEDIATE");
}

StoreTransaction::~StoreTransaction() {
    if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void StoreTransaction::commit() {
    sqlite::exec(db_, "COMMIT");
    done_ = true;
}

}  // namespace tandem
