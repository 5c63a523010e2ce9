// Store: hosts, accounts and grants.
#include "sql_connection.hpp"
#include "tandem/store.hpp"

namespace tandem {
namespace {

using sql::Statement;
using Kind = StoreError::Kind;

Host read_host(const Statement& st) {
    Host h;
    h.id = st.int64(0);
    h.name = st.text(1);
    h.address = st.text(2);
    h.port = static_cast<std::uint16_t>(st.int64(3));
    h.host_key_type = st.text(4);
    h.host_key_base64 = st.text(5);
    return h;
}

constexpr const char* kHostColumns = "id, name, address, port, host_key_type, host_key_blob";

// An account row from columns a.id, a.host_id, a.login, h.name, a.credential_kind (the
// credential, where selected, is left to the caller).
Account read_account(const Statement& st) {
    Account a;
    a.id = st.int64(0);
    a.host_id = st.int64(1);
    a.login = st.text(2);
    a.host_name = st.text(3);
    a.kind = st.text(4) == "password" ? CredentialKind::password : CredentialKind::private_key;
    return a;
}

const char* kind_name(CredentialKind kind) {
    return kind == CredentialKind::password ? "password" : "private_key";
}

}  // namespace

Id Store::add_host(const Host& host) {
    Statement st(*db_,
                 "INSERT INTO hosts (name, address, port, host_key_type, host_key_blob, "
                 "created_at) VALUES (?,?,?,?,?,?) RETURNING id");
    st.bind(1, host.name)
        .bind(2, host.address)
        .bind(3, std::int64_t{host.port})
        .bind(4, host.host_key_type)
        .bind(5, host.host_key_base64)
        .bind(6, now_unix());
    Id id = 0;
    try {
        id = st.insert_id();
    } catch (const StoreError& e) {
        if (e.kind() == Kind::duplicate)
            throw StoreError(Kind::duplicate, "host '" + host.name + "' already exists");
        throw;
    }
    return id;
}

std::optional<Host> Store::find_host(const std::string& name) const {
    Statement st(*db_, std::string("SELECT ") + kHostColumns + " FROM hosts WHERE name = ?");
    st.bind(1, name);
    if (!st.step()) return std::nullopt;
    return read_host(st);
}

std::vector<Host> Store::list_hosts() const {
    Statement st(*db_, std::string("SELECT ") + kHostColumns + " FROM hosts ORDER BY name");
    std::vector<Host> hosts;
    while (st.step()) hosts.push_back(read_host(st));
    return hosts;
}

void Store::pin_host_key(Id host_id, const std::string& type, const std::string& blob_base64) {
    Statement st(*db_, "UPDATE hosts SET host_key_type = ?, host_key_blob = ? WHERE id = ?");
    st.bind(1, type).bind(2, blob_base64).bind(3, host_id);
    if (st.run() == 0)
        throw StoreError(Kind::not_found, "no host with id " + std::to_string(host_id));
}

Id Store::put_account(Id host_id, const std::string& login, CredentialKind kind,
                      const std::string& credential) {
    Statement st(*db_,
                 "INSERT INTO accounts (host_id, login, credential_kind, credential, created_at, "
                 "updated_at) VALUES (?1,?2,?3,?4,?5,?5) "
                 "ON CONFLICT (host_id, login) DO UPDATE SET credential_kind = excluded."
                 "credential_kind, credential = excluded.credential, updated_at = excluded."
                 "updated_at RETURNING id");
    st.bind(1, host_id).bind(2, login).bind(3, kind_name(kind)).bind(4, credential);
    st.bind(5, now_unix());
    try {
        if (!st.step()) throw StoreError(Kind::unavailable, "store: account not written");
        const Id id = st.int64(0);
        st.run();  // finish the statement so the write completes
        return id;
    } catch (const StoreError& e) {
        if (e.kind() == Kind::constraint)
            throw StoreError(Kind::not_found, "no host with id " + std::to_string(host_id));
        throw;
    }
}

std::optional<Account> Store::find_account(const std::string& login,
                                           const std::string& host_name) const {
    Statement st(*db_,
                 "SELECT a.id, a.host_id, a.login, h.name, a.credential_kind, a.credential "
                 "FROM accounts a JOIN hosts h ON h.id = a.host_id "
                 "WHERE a.login = ? AND h.name = ?");
    st.bind(1, login).bind(2, host_name);
    if (!st.step()) return std::nullopt;
    Account a = read_account(st);
    a.credential = st.text(5);
    return a;
}

void Store::set_host_address(Id host_id, const std::string& address, std::uint16_t port) {
    Statement st(*db_, "UPDATE hosts SET address = ?, port = ? WHERE id = ?");
    st.bind(1, address).bind(2, std::int64_t{port}).bind(3, host_id);
    if (st.run() == 0)
        throw StoreError(Kind::not_found, "no host with id " + std::to_string(host_id));
}

void Store::delete_host(Id host_id) {
    Statement st(*db_, "DELETE FROM hosts WHERE id = ?");
    st.bind(1, host_id);
    if (st.run() == 0)
        throw StoreError(Kind::not_found, "no host with id " + std::to_string(host_id));
    db_->notify_access_change();
}

std::vector<Account> Store::list_accounts(const std::string& host_name) const {
    Statement st(*db_,
                 "SELECT a.id, a.host_id, a.login, h.name, a.credential_kind "
                 "FROM accounts a JOIN hosts h ON h.id = a.host_id "
                 "WHERE ?1 = '' OR h.name = ?1 ORDER BY h.name, a.login");
    st.bind(1, host_name);
    std::vector<Account> accounts;
    while (st.step()) accounts.push_back(read_account(st));
    return accounts;
}

void Store::delete_account(Id account_id) {
    Statement st(*db_, "DELETE FROM accounts WHERE id = ?");
    st.bind(1, account_id);
    if (st.run() == 0)
        throw StoreError(Kind::not_found, "no account with id " + std::to_string(account_id));
    db_->notify_access_change();
}

void Store::grant(Id user_id, Id account_id) {
    Statement st(*db_, "INSERT INTO grants (user_id, account_id, created_at) VALUES (?,?,?)");
    st.bind(1, user_id).bind(2, account_id).bind(3, now_unix());
    try {
        st.run();
    } catch (const StoreError& e) {
        if (e.kind() == Kind::duplicate)
            throw StoreError(Kind::duplicate, "the grant already exists");
        if (e.kind() == Kind::constraint)
            throw StoreError(Kind::not_found, "no such user or account");
        throw;
    }
}

void Store::revoke(Id user_id, Id account_id) {
    Statement st(*db_, "DELETE FROM grants WHERE user_id = ? AND account_id = ?");
    st.bind(1, user_id).bind(2, account_id);
    if (st.run() == 0) throw StoreError(Kind::not_found, "no such grant");
    db_->notify_access_change();
}

bool Store::has_grant(Id user_id, Id account_id) const {
    Statement st(*db_, "SELECT 1 FROM grants WHERE user_id = ? AND account_id = ?");
    st.bind(1, user_id).bind(2, account_id);
    return st.step();
}

std::vector<Account> Store::granted_accounts(Id user_id) const {
    Statement st(*db_,
                 "SELECT a.id, a.host_id, a.login, h.name, a.credential_kind "
                 "FROM grants g JOIN accounts a ON a.id = g.account_id "
                 "JOIN hosts h ON h.id = a.host_id WHERE g.user_id = ? ORDER BY h.name, a.login");
    st.bind(1, user_id);
    std::vector<Account> accounts;
    while (st.step()) accounts.push_back(read_account(st));
    return accounts;
}

std::vector<GrantRecord> Store::list_grants() const {
    Statement st(*db_,
                 "SELECT u.name, a.login || '@' || h.name, g.created_at FROM grants g "
                 "JOIN users u ON u.id = g.user_id JOIN accounts a ON a.id = g.account_id "
                 "JOIN hosts h ON h.id = a.host_id ORDER BY u.name, h.name, a.login");
    std::vector<GrantRecord> grants;
    while (st.step()) grants.push_back({st.text(0), st.text(1), st.int64(2)});
    return grants;
}

}  // namespace tandem
