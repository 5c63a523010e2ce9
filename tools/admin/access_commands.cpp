// account add / set / del, grant, revoke: which logins exist on hosts and who may use them.
#include <ostream>

#include "admin_commands.hpp"
#include "tandem/ssh_keys.hpp"

namespace tandem::admin {
namespace {

constexpr std::size_t kMaxAccountPassword = 1024;

Account existing_account(Store& store, const AccountName& name) {
    auto account = store.find_account(name.login, name.host);
    if (!account) throw AdminError("unknown account '" + name.text() + "'");
    return *account;
}

User existing_user(Store& store, const std::string& name) {
    auto user = store.find_user(name);
    if (!user) throw AdminError("unknown user '" + name + "'");
    return *user;
}

// account add (creates, or replaces an existing credential) and account set (rotates the
// credential of an account that must exist).
void account_put(const Command& cmd, Context& ctx, Store& store) {
    const auto host = store.find_host(cmd.account.host);
    if (!host) throw AdminError("unknown host '" + cmd.account.host + "'");
    if (cmd.verb == Verb::account_set) existing_account(store, cmd.account);
    CredentialKind kind;
    std::string credential;
    if (cmd.account_key_file) {
        kind = CredentialKind::private_key;
        credential = read_private_key_file(*cmd.account_key_file);
    } else {
        kind = CredentialKind::password;
        credential = read_secret(ctx, "account password", kMaxAccountPassword);
    }
    const bool existed = store.find_account(cmd.account.login, cmd.account.host).has_value();
    const char* kind_name = kind == CredentialKind::password ? "password" : "private_key";

    StoreTransaction tx(store);
    store.put_account(host->id, cmd.account.login, kind, credential);
    store.audit(ctx.actor, existed ? "account.update" : "account.add", cmd.account.text(),
                std::string("credential=") + kind_name);
    tx.commit();
    ctx.out << (existed ? "updated the credential of account " : "added account ")
            << cmd.account.text() << " ("
            << (kind == CredentialKind::password ? "password" : "private key") << ")\n";
}

void account_del(const Command& cmd, Context& ctx, Store& store) {
    const Account account = existing_account(store, cmd.account);
    StoreTransaction tx(store);
    store.delete_account(account.id);
    store.audit(ctx.actor, "account.del", cmd.account.text());
    tx.commit();
    ctx.out << "deleted account " << cmd.account.text()
            << " with its grants; its open sessions end within session.access_recheck\n";
}

void grant(const Command& cmd, Context& ctx, Store& store) {
    const User user = existing_user(store, cmd.user);
    const Account account = existing_account(store, cmd.account);
    StoreTransaction tx(store);
    try {
        store.grant(user.id, account.id);
    } catch (const StoreError& e) {
        if (e.kind() == StoreError::Kind::duplicate)
            throw AdminError(cmd.user + " already holds a grant on " + cmd.account.text());
        throw;
    }
    store.audit(ctx.actor, "grant", cmd.account.text(), "user=" + cmd.user);
    tx.commit();
    ctx.out << "granted " << cmd.account.text() << " to " << cmd.user << "\n";
}

void revoke(const Command& cmd, Context& ctx, Store& store) {
    const User user = existing_user(store, cmd.user);
    const Account account = existing_account(store, cmd.account);
    StoreTransaction tx(store);
    try {
        store.revoke(user.id, account.id);
    } catch (const StoreError& e) {
        if (e.kind() == StoreError::Kind::not_found)
            throw AdminError(cmd.user + " holds no grant on " + cmd.account.text());
        throw;
    }
    store.audit(ctx.actor, "revoke", cmd.account.text(), "user=" + cmd.user);
    tx.commit();
    ctx.out << "revoked " << cmd.account.text() << " from " << cmd.user << "\n";
}

}  // namespace

void run_access_command(const Command& cmd, Context& ctx, Store& store) {
    switch (cmd.verb) {
        case Verb::account_add:
        case Verb::account_set:
            return account_put(cmd, ctx, store);
        case Verb::account_del:
            return account_del(cmd, ctx, store);
        case Verb::grant:
            return grant(cmd, ctx, store);
        case Verb::revoke:
            return revoke(cmd, ctx, store);
        default:
            throw AdminError("not an access command");
    }
}

}  // namespace tandem::admin
