// user add / passwd / disable / enable / del / key add / key del (list and show: listings).
#include <ostream>

#include "admin_commands.hpp"
#include "tandem/password_hash.hpp"
#include "tandem/ssh_keys.hpp"

namespace tandem::admin {
namespace {

std::vector<PublicKey> read_key_files(const std::vector<std::string>& files) {
    std::vector<PublicKey> keys;
    for (const auto& file : files) {
        auto more = read_public_key_file(file);
        keys.insert(keys.end(), more.begin(), more.end());
    }
    return keys;
}

// Adds the keys; returns their fingerprints, space-separated, for the audit detail.
std::string add_keys(Store& store, const User& user, const std::vector<PublicKey>& keys) {
    std::string fingerprints;
    for (const auto& key : keys) {
        UserKey k;
        k.type = key.type;
        k.blob_base64 = key.blob_base64;
        k.fingerprint = fingerprint_sha256(key.blob_base64);
        k.comment = key.comment;
        try {
            store.add_user_key(user.id, k);
        } catch (const StoreError& e) {
            if (e.kind() == StoreError::Kind::duplicate) throw AdminError(e.what());
            throw;
        }
        fingerprints += (fingerprints.empty() ? "" : " ") + k.fingerprint;
    }
    return fingerprints;
}

User existing_user(Store& store, const std::string& name) {
    auto user = store.find_user(name);
    if (!user) throw AdminError("unknown user '" + name + "'");
    return *user;
}

std::string plural(std::size_t n, const std::string& word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

void user_add(const Command& cmd, Context& ctx, Store& store) {
    // Everything that can fail on input is checked before anything is written.
    const auto keys = read_key_files(cmd.key_files);
    if (store.find_user(cmd.user)) throw AdminError("user '" + cmd.user + "' already exists");
    std::string hash;
    if (cmd.password_stdin) hash = hash_password(read_secret(ctx, "password", kMaxPasswordLength));

    StoreTransaction tx(store);
    try {
        store.add_user(cmd.user, cmd.admin, hash);
        if (cmd.auditor) store.set_user_roles(cmd.user, cmd.admin, true);
    } catch (const StoreError& e) {
        if (e.kind() == StoreError::Kind::duplicate) throw AdminError(e.what());
        throw;
    }
    const User user = existing_user(store, cmd.user);
    const std::string fingerprints = add_keys(store, user, keys);
    std::string detail = "admin=" + std::string(cmd.admin ? "yes" : "no") +
                         " auditor=" + (cmd.auditor ? "yes" : "no") +
                         " password=" + (hash.empty() ? "no" : "yes");
    if (!fingerprints.empty()) detail += " keys=" + fingerprints;
    store.audit(ctx.actor, "user.add", cmd.user, detail);
    tx.commit();

    ctx.out << "added user " << cmd.user << " (" << (cmd.admin ? "admin, " : "")
            << (cmd.auditor ? "auditor, " : "") << plural(keys.size(), "key")
            << (hash.empty() ? ", no web password" : ", web password set") << ")\n";
    for (const auto& key : keys)
        ctx.out << "  " << key.type << " " << fingerprint_sha256(key.blob_base64)
                << (key.comment.empty() ? "" : " " + key.comment) << "\n";
}

void user_passwd(const Command& cmd, Context& ctx, Store& store) {
    existing_user(store, cmd.user);  // before asking for a password that would go nowhere
    const std::string hash = hash_password(read_secret(ctx, "password", kMaxPasswordLength));
    StoreTransaction tx(store);
    try {
        store.set_password_hash(cmd.user, hash);
    } catch (const StoreError& e) {
        if (e.kind() == StoreError::Kind::not_found) throw AdminError(e.what());
        throw;
    }
    store.audit(ctx.actor, "user.passwd", cmd.user);
    tx.commit();
    ctx.out << "set the web password of " << cmd.user << "\n";
}

void user_del(const Command& cmd, Context& ctx, Store& store) {
    StoreTransaction tx(store);
    try {
        store.delete_user(cmd.user);
    } catch (const StoreError& e) {
        if (e.kind() == StoreError::Kind::not_found) throw AdminError(e.what());
        throw;
    }
    store.audit(ctx.actor, "user.del", cmd.user);
    tx.commit();
    ctx.out << "deleted user " << cmd.user << " with its keys and grants\n";
}

void user_key_add(const Command& cmd, Context& ctx, Store& store) {
    const User user = existing_user(store, cmd.user);
    const auto keys = read_key_files(cmd.key_files);
    StoreTransaction tx(store);
    const std::string fingerprints = add_keys(store, user, keys);
    store.audit(ctx.actor, "user.key.add", cmd.user, "keys=" + fingerprints);
    tx.commit();
    for (const auto& key : keys)
        ctx.out << "added key " << key.type << " " << fingerprint_sha256(key.blob_base64) << " to "
                << cmd.user << "\n";
}

// Disabling takes effect everywhere the store is re-read: new SSH and web logins are refused
// (T_209), and open sessions, shares and web logins end on their next access re-check.
void user_set_disabled(const Command& cmd, Context& ctx, Store& store, bool disabled) {
    const User user = existing_user(store, cmd.user);
    if (user.disabled == disabled)
        throw AdminError("user '" + cmd.user + "' is already " +
                         (disabled ? "disabled" : "enabled"));
    StoreTransaction tx(store);
    store.set_user_disabled(cmd.user, disabled);
    store.audit(ctx.actor, disabled ? "user.disable" : "user.enable", cmd.user);
    tx.commit();
    if (disabled)
        ctx.out << "disabled user " << cmd.user
                << ": logins refused, open sessions end within session.access_recheck\n";
    else
        ctx.out << "enabled user " << cmd.user << "\n";
}

void user_key_del(const Command& cmd, Context& ctx, Store& store) {
    const User user = existing_user(store, cmd.user);
    StoreTransaction tx(store);
    try {
        store.delete_user_key(user.id, cmd.fingerprint);
    } catch (const StoreError& e) {
        if (e.kind() == StoreError::Kind::not_found)
            throw AdminError(cmd.user + " has no key " + cmd.fingerprint +
                             " (tandem-admin user show " + cmd.user + " lists them)");
        throw;
    }
    store.audit(ctx.actor, "user.key.del", cmd.user, "key=" + cmd.fingerprint);
    tx.commit();
    // Open sessions go on (docs/security.md): say so, so nobody takes this for a lock-out.
    ctx.out << "deleted key " << cmd.fingerprint << " of " << cmd.user
            << " (sessions already open go on; user disable ends them)\n";
}

// Roles act at the next web request: the broker reads them from the store every time.
void user_set(const Command& cmd, Context& ctx, Store& store) {
    StoreTransaction tx(store);
    const User user = existing_user(store, cmd.user);
    const bool admin = cmd.set_admin.value_or(user.is_admin);
    const bool auditor = cmd.set_auditor.value_or(user.is_auditor);
    store.set_user_roles(cmd.user, admin, auditor);
    store.audit(
        ctx.actor, "user.set", cmd.user,
        std::string("admin=") + (admin ? "yes" : "no") + " auditor=" + (auditor ? "yes" : "no"));
    tx.commit();
    ctx.out << "user " << cmd.user << ": admin " << (admin ? "yes" : "no") << ", auditor "
            << (auditor ? "yes" : "no") << "\n";
}

}  // namespace

void run_user_command(const Command& cmd, Context& ctx, Store& store) {
    switch (cmd.verb) {
        case Verb::user_add:
            return user_add(cmd, ctx, store);
        case Verb::user_passwd:
            return user_passwd(cmd, ctx, store);
        case Verb::user_del:
            return user_del(cmd, ctx, store);
        case Verb::user_key_add:
            return user_key_add(cmd, ctx, store);
        case Verb::user_disable:
            return user_set_disabled(cmd, ctx, store, true);
        case Verb::user_enable:
            return user_set_disabled(cmd, ctx, store, false);
        case Verb::user_key_del:
            return user_key_del(cmd, ctx, store);
        case Verb::user_set:
            return user_set(cmd, ctx, store);
        default:
            throw AdminError("not a user command");
    }
}

}  // namespace tandem::admin
