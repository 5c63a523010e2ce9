// Store: opening, migrations, users and their keys. Hosts/accounts/grants live in
// store_access.cpp, sessions and audit in store_history.cpp.
#include "tandem/store.hpp"

#include <chrono>

#include "sql_connection.hpp"

namespace tandem {
namespace {

using sql::Statement;
using Kind = StoreError::Kind;

void migrate(sql::Connection& db) {
    const auto& steps = db.migrations();
    const int latest = static_cast<int>(steps.size());
    if (db.schema_version() == latest) return;
    for (;;) {
        StoreTransaction tx(db);
        const int version = db.schema_version();  // re-read under the write lock: others migrate
        if (version > latest)
            throw StoreError(Kind::unavailable, "store schema version " + std::to_string(version) +
                                                    " is newer than this tandem understands (" +
                                                    std::to_string(latest) + ")");
        if (version == latest) return;
        db.exec(steps[static_cast<std::size_t>(version)]);
        db.set_schema_version(version + 1);
        tx.commit();
    }
}

std::unique_ptr<sql::Connection> open_connection(const std::string& location, bool create) {
    const auto file = sqlite_file_of(location);
    if (!file) {
        auto db = sql::open_postgres(location);
        migrate(*db);
        return db;
    }
    const auto& path = *file;
    try {
        auto db = sql::open_sqlite(path, create);
        migrate(*db);
        return db;
    } catch (const StoreError& e) {
        // A file that is not SQLite fails at the first PRAGMA, a damaged one anywhere.
        if (e.kind() == Kind::corrupt)
            throw StoreError(Kind::corrupt, "store " + path +
                                                " is not a tandem database or is "
                                                "corrupt (" +
                                                e.what() + ")");
        throw;
    }
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

// "sqlite:PATH", or a bare path (what store.path always held).
std::optional<std::string> sqlite_file_of(const std::string& location) {
    if (location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0)
        return std::nullopt;
    return location.rfind("sqlite:", 0) == 0 ? location.substr(7) : location;
}

std::string redacted_store_location(const std::string& location) {
    if (sqlite_file_of(location)) return location;
    std::string out = location;
    const auto authority = out.find("://") + 3;
    const auto at = out.find('@', authority);
    const auto slash = out.find('/', authority);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
        const auto colon = out.find(':', authority);
        if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
    for (auto p = out.find("password="); p != std::string::npos; p = out.find("password=", p)) {
        p += 9;
        const auto end = out.find_first_of("& ", p);
        out.replace(p, (end == std::string::npos ? out.size() : end) - p, "***");
    }
    return out;
}

UnixTime now_unix() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Store Store::open(const std::string& location) {
    return Store(open_connection(location, true));
}

Store Store::open_existing(const std::string& location) {
    return Store(open_connection(location, false));
}

Store::Store(std::unique_ptr<sql::Connection> db) : db_(std::move(db)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

sqlite3* Store::handle() const {
    return db_ ? db_->sqlite_handle() : nullptr;
}

int Store::schema_version() const {
    return db_->schema_version();
}

Id Store::add_user(const std::string& name, bool is_admin, const std::string& password_hash) {
    Statement st(*db_,
                 "INSERT INTO users (name, is_admin, password_hash, created_at) VALUES (?,?,?,?) "
                 "RETURNING id");
    st.bind(1, name).bind(2, std::int64_t{is_admin}).bind(3, password_hash).bind(4, now_unix());
    Id id = 0;
    try {
        id = st.insert_id();
    } catch (const StoreError& e) {
        if (e.kind() == Kind::duplicate)
            throw StoreError(Kind::duplicate, "user '" + name + "' already exists");
        throw;
    }
    return id;
}

std::optional<User> Store::find_user(const std::string& name) const {
    Statement st(*db_, std::string("SELECT ") + kUserColumns + " FROM users WHERE name = ?");
    st.bind(1, name);
    if (!st.step()) return std::nullopt;
    return read_user(st);
}

std::vector<User> Store::list_users() const {
    Statement st(*db_, std::string("SELECT ") + kUserColumns + " FROM users ORDER BY name");
    std::vector<User> users;
    while (st.step()) users.push_back(read_user(st));
    return users;
}

void Store::set_password_hash(const std::string& name, const std::string& password_hash) {
    Statement st(*db_, "UPDATE users SET password_hash = ? WHERE name = ?");
    st.bind(1, password_hash).bind(2, name);
    if (st.run() == 0) throw StoreError(Kind::not_found, "unknown user '" + name + "'");
}

void Store::delete_user(const std::string& name) {
    Statement st(*db_, "DELETE FROM users WHERE name = ?");
    st.bind(1, name);
    if (st.run() == 0) throw StoreError(Kind::not_found, "unknown user '" + name + "'");
    db_->notify_access_change();
}

void Store::set_user_disabled(const std::string& name, bool disabled) {
    Statement st(*db_, "UPDATE users SET disabled = ? WHERE name = ?");
    st.bind(1, std::int64_t{disabled}).bind(2, name);
    if (st.run() == 0) throw StoreError(Kind::not_found, "unknown user '" + name + "'");
    db_->notify_access_change();
}

void Store::set_user_roles(const std::string& name, bool is_admin, bool is_auditor) {
    Statement st(*db_, "UPDATE users SET is_admin = ?, is_auditor = ? WHERE name = ?");
    st.bind(1, std::int64_t{is_admin}).bind(2, std::int64_t{is_auditor}).bind(3, name);
    if (st.run() == 0) throw StoreError(Kind::not_found, "unknown user '" + name + "'");
}

void Store::delete_user_key(Id user_id, const std::string& fingerprint) {
    Statement st(*db_, "DELETE FROM user_keys WHERE user_id = ? AND fingerprint = ?");
    st.bind(1, user_id).bind(2, fingerprint);
    if (st.run() == 0) throw StoreError(Kind::not_found, "no key " + fingerprint);
}

Id Store::add_user_key(Id user_id, const UserKey& key) {
    Statement st(*db_,
                 "INSERT INTO user_keys (user_id, type, blob, fingerprint, comment, created_at) "
                 "VALUES (?,?,?,?,?,?) RETURNING id");
    st.bind(1, user_id)
        .bind(2, key.type)
        .bind(3, key.blob_base64)
        .bind(4, key.fingerprint)
        .bind(5, key.comment)
        .bind(6, now_unix());
    Id id = 0;
    try {
        id = st.insert_id();
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
    return id;
}

std::vector<UserKey> Store::user_keys(Id user_id) const {
    Statement st(*db_,
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
    Statement st(*db_,
                 "SELECT u.id, u.name, u.is_admin, u.password_hash, u.created_at, u.disabled, "
                 "u.is_auditor "
                 "FROM user_keys k JOIN users u ON u.id = k.user_id "
                 "WHERE k.type = ? AND k.blob = ?");
    st.bind(1, type).bind(2, blob_base64);
    if (!st.step()) return std::nullopt;
    return read_user(st);
}

StoreTransaction::StoreTransaction(Store& store) : StoreTransaction(*store.db_) {}

StoreTransaction::StoreTransaction(sql::Connection& db) : db_(db) {
    db_.begin_write();
}

StoreTransaction::~StoreTransaction() {
    if (!done_) db_.rollback();
}

void StoreTransaction::commit() {
    db_.commit();
    done_ = true;
}

}  // namespace tandem
