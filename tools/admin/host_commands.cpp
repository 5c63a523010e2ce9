// host add / pin / set / del: managed hosts and their pinned host keys.
#include <ostream>

#include "admin_commands.hpp"
#include "tandem/ssh_keys.hpp"

namespace tandem::admin {
namespace {

struct PinnedKey {
    PublicKey key;
    std::string fingerprint;
    bool from_file = false;
};

// From the host's ssh_host_*_key.pub when given, else from the host itself (first contact).
PinnedKey host_key(const Command& cmd, const std::string& address, std::uint16_t port,
                   const Config& config) {
    PinnedKey pinned;
    if (cmd.host_key_file) {
        const auto keys = read_public_key_file(*cmd.host_key_file);
        if (keys.size() != 1)
            throw AdminError(*cmd.host_key_file + " holds " + std::to_string(keys.size()) +
                             " keys; give the host's one public key file (ssh_host_*_key.pub)");
        pinned.key = keys.front();
        pinned.from_file = true;
    } else {
        try {
            pinned.key = fetch_host_key(address, port, config.target_connect_timeout);
        } catch (const KeyError& e) {
            throw AdminError(std::string(e.what()) +
                             " (to pin without contact, give --host-key FILE)");
        }
    }
    pinned.fingerprint = fingerprint_sha256(pinned.key.blob_base64);
    return pinned;
}

void print_pin(Context& ctx, const PinnedKey& pinned) {
    ctx.out << "  host key: " << pinned.key.type << " " << pinned.fingerprint << "\n";
    if (!pinned.from_file)
        ctx.out << "  pinned on first contact: check this fingerprint against the host "
                   "(ssh-keygen -lf /etc/ssh/ssh_host_"
                << (pinned.key.type == "ssh-ed25519"         ? "ed25519"
                    : pinned.key.type.rfind("ecdsa", 0) == 0 ? "ecdsa"
                                                             : "rsa")
                << "_key.pub)\n";
}

void host_add(const Command& cmd, Context& ctx, Store& store, const Config& config) {
    if (store.find_host(cmd.host)) throw AdminError("host '" + cmd.host + "' already exists");
    const PinnedKey pinned = host_key(cmd, cmd.address, cmd.port, config);

    Host host;
    host.name = cmd.host;
    host.address = cmd.address;
    host.port = cmd.port;
    host.host_key_type = pinned.key.type;
    host.host_key_base64 = pinned.key.blob_base64;
    StoreTransaction tx(store);
    try {
        store.add_host(host);
    } catch (const StoreError& e) {
        if (e.kind() == StoreError::Kind::duplicate) throw AdminError(e.what());
        throw;
    }
    store.audit(ctx.actor, "host.add", cmd.host,
                cmd.address + ":" + std::to_string(cmd.port) + " " + pinned.key.type + " " +
                    pinned.fingerprint + (pinned.from_file ? " from-file" : " first-contact"));
    tx.commit();
    ctx.out << "added host " << cmd.host << " (" << cmd.address << ":" << cmd.port << ")\n";
    print_pin(ctx, pinned);
}

void host_pin(const Command& cmd, Context& ctx, Store& store, const Config& config) {
    const auto host = store.find_host(cmd.host);
    if (!host) throw AdminError("unknown host '" + cmd.host + "'");
    const PinnedKey pinned = host_key(cmd, host->address, host->port, config);
    const std::string old_fingerprint =
        host->host_key_base64.empty() ? "none" : fingerprint_sha256(host->host_key_base64);
    StoreTransaction tx(store);
    store.pin_host_key(host->id, pinned.key.type, pinned.key.blob_base64);
    store.audit(ctx.actor, "host.pin", cmd.host,
                old_fingerprint + " -> " + pinned.key.type + " " + pinned.fingerprint +
                    (pinned.from_file ? " from-file" : " first-contact"));
    tx.commit();
    ctx.out << "re-pinned host " << cmd.host << " (was " << old_fingerprint << ")\n";
    print_pin(ctx, pinned);
}

Host existing_host(Store& store, const std::string& name) {
    auto host = store.find_host(name);
    if (!host) throw AdminError("unknown host '" + name + "'");
    return *host;
}

// The pinned key stays: a host that moved is still the same machine. A host that was
// rebuilt needs host pin as well.
void host_set(const Command& cmd, Context& ctx, Store& store) {
    const Host host = existing_host(store, cmd.host);
    const std::string address = cmd.new_address.value_or(host.address);
    const std::uint16_t port = cmd.new_port.value_or(host.port);
    StoreTransaction tx(store);
    store.set_host_address(host.id, address, port);
    store.audit(ctx.actor, "host.set", cmd.host,
                host.address + ":" + std::to_string(host.port) + " -> " + address + ":" +
                    std::to_string(port));
    tx.commit();
    ctx.out << "host " << cmd.host << " is now at " << address << ":" << port
            << " (new connections; the pinned host key is kept)\n";
}

// Refused while accounts exist unless --force: deleting a host silently deleting its accounts
// (and ending their sessions) is the mistake this guards against.
void host_del(const Command& cmd, Context& ctx, Store& store) {
    const Host host = existing_host(store, cmd.host);
    const auto accounts = store.list_accounts(cmd.host);
    std::string names;
    for (const auto& a : accounts) names += (names.empty() ? "" : ", ") + a.name();
    if (!accounts.empty() && !cmd.force)
        throw AdminError("host '" + cmd.host + "' still has " + std::to_string(accounts.size()) +
                         " account" + (accounts.size() == 1 ? "" : "s") + " (" + names +
                         "); delete them first, or give --force to delete them with the host");
    StoreTransaction tx(store);
    store.delete_host(host.id);
    store.audit(ctx.actor, "host.del", cmd.host,
                accounts.empty() ? std::string() : "accounts=" + names);
    tx.commit();
    ctx.out << "deleted host " << cmd.host;
    if (!accounts.empty())
        ctx.out << " with its accounts " << names
                << " and their grants; their open sessions end within session.access_recheck";
    ctx.out << "\n";
}

}  // namespace

void run_host_command(const Command& cmd, Context& ctx, Store& store, const Config& config) {
    switch (cmd.verb) {
        case Verb::host_add:
            return host_add(cmd, ctx, store, config);
        case Verb::host_pin:
            return host_pin(cmd, ctx, store, config);
        case Verb::host_set:
            return host_set(cmd, ctx, store);
        case Verb::host_del:
            return host_del(cmd, ctx, store);
        default:
            throw AdminError("not a host command");
    }
}

}  // namespace tandem::admin
