// user list / user show / host list / account list / grant list: tables for people, --json
// for scripts (field names in docs/admin.md). Never prints a credential or a password hash.
#include <map>
#include <ostream>

#include "admin_commands.hpp"
#include "tandem/ssh_keys.hpp"
#include "text_table.hpp"

namespace tandem::admin {
namespace {

using nlohmann::json;

const char* yes_no(bool b) {
    return b ? "yes" : "no";
}

const char* credential_name(CredentialKind kind) {
    return kind == CredentialKind::password ? "password" : "private_key";
}

std::string host_key_fingerprint(const Host& h) {
    return h.host_key_base64.empty() ? std::string() : fingerprint_sha256(h.host_key_base64);
}

void user_list(const Command& cmd, Context& ctx, Store& store) {
    std::map<std::string, int> grants;
    for (const auto& g : store.list_grants()) ++grants[g.user_name];
    json doc = json::array();
    TextTable table(
        {"USER", "ADMIN", "AUDITOR", "DISABLED", "WEB PASSWORD", "KEYS", "GRANTS", "CREATED"});
    for (const auto& u : store.list_users()) {
        const auto keys = store.user_keys(u.id).size();
        const int granted = grants[u.name];
        doc.push_back({{"name", u.name},
                       {"admin", u.is_admin},
                       {"auditor", u.is_auditor},
                       {"disabled", u.disabled},
                       {"web_password", !u.password_hash.empty()},
                       {"keys", keys},
                       {"grants", granted},
                       {"created_at", utc_text(u.created_at)}});
        table.add_row({u.name, yes_no(u.is_admin), yes_no(u.is_auditor), yes_no(u.disabled),
                       u.password_hash.empty() ? "not set" : "set", std::to_string(keys),
                       std::to_string(granted), utc_text(u.created_at)});
    }
    if (cmd.json) return print_json(ctx.out, doc);
    table.print(ctx.out);
}

void user_show(const Command& cmd, Context& ctx, Store& store) {
    const auto user = store.find_user(cmd.user);
    if (!user) throw AdminError("unknown user '" + cmd.user + "'");
    const auto keys = store.user_keys(user->id);
    const auto accounts = store.granted_accounts(user->id);
    if (cmd.json) {
        json doc = {{"name", user->name},
                    {"admin", user->is_admin},
                    {"auditor", user->is_auditor},
                    {"disabled", user->disabled},
                    {"web_password", !user->password_hash.empty()},
                    {"created_at", utc_text(user->created_at)},
                    {"keys", json::array()},
                    {"grants", json::array()}};
        for (const auto& k : keys)
            doc["keys"].push_back(
                {{"type", k.type}, {"fingerprint", k.fingerprint}, {"comment", k.comment}});
        for (const auto& a : accounts) doc["grants"].push_back(a.name());
        return print_json(ctx.out, doc);
    }
    ctx.out << "user:         " << user->name << "\n"
            << "admin:        " << yes_no(user->is_admin) << "\n"
            << "auditor:      " << yes_no(user->is_auditor) << "\n"
            << "disabled:     " << yes_no(user->disabled) << "\n"
            << "web password: " << (user->password_hash.empty() ? "not set" : "set") << "\n"
            << "created:      " << utc_text(user->created_at) << "\n"
            << "keys:" << (keys.empty() ? " none" : "") << "\n";
    if (!keys.empty()) {
        TextTable table({"  TYPE", "FINGERPRINT", "COMMENT"});
        for (const auto& k : keys) table.add_row({"  " + k.type, k.fingerprint, k.comment});
        table.print(ctx.out);
    }
    ctx.out << "grants:" << (accounts.empty() ? " none" : "") << "\n";
    for (const auto& a : accounts) ctx.out << "  " << a.name() << "\n";
}

void host_list(const Command& cmd, Context& ctx, Store& store) {
    std::map<std::string, int> accounts;
    for (const auto& a : store.list_accounts()) ++accounts[a.host_name];
    json doc = json::array();
    TextTable table({"HOST", "ADDRESS", "PORT", "HOST KEY", "ACCOUNTS"});
    for (const auto& h : store.list_hosts()) {
        const std::string fingerprint = host_key_fingerprint(h);
        doc.push_back({{"name", h.name},
                       {"address", h.address},
                       {"port", h.port},
                       {"host_key_type", h.host_key_type},
                       {"host_key_fingerprint", fingerprint},
                       {"accounts", accounts[h.name]}});
        table.add_row({h.name, h.address, std::to_string(h.port),
                       fingerprint.empty() ? "not pinned" : h.host_key_type + " " + fingerprint,
                       std::to_string(accounts[h.name])});
    }
    if (cmd.json) return print_json(ctx.out, doc);
    table.print(ctx.out);
}

void account_list(const Command& cmd, Context& ctx, Store& store) {
    if (!cmd.filter.empty() && !store.find_host(cmd.filter))
        throw AdminError("unknown host '" + cmd.filter + "'");
    std::map<std::string, int> grants;
    for (const auto& g : store.list_grants()) ++grants[g.account_name];
    json doc = json::array();
    TextTable table({"ACCOUNT", "CREDENTIAL", "GRANTS"});
    for (const auto& a : store.list_accounts(cmd.filter)) {
        doc.push_back({{"account", a.name()},
                       {"login", a.login},
                       {"host", a.host_name},
                       {"credential", credential_name(a.kind)},
                       {"grants", grants[a.name()]}});
        table.add_row({a.name(), a.kind == CredentialKind::password ? "password" : "private key",
                       std::to_string(grants[a.name()])});
    }
    if (cmd.json) return print_json(ctx.out, doc);
    table.print(ctx.out);
}

void grant_list(const Command& cmd, Context& ctx, Store& store) {
    const bool by_account = cmd.filter.find('@') != std::string::npos;
    if (!cmd.filter.empty()) {
        const auto account = AccountName::parse(cmd.filter);
        const bool exists = by_account
                                ? account && store.find_account(account->login, account->host)
                                : store.find_user(cmd.filter).has_value();
        if (!exists)
            throw AdminError(std::string(by_account ? "unknown account '" : "unknown user '") +
                             cmd.filter + "'");
    }
    json doc = json::array();
    TextTable table({"USER", "ACCOUNT", "GRANTED"});
    for (const auto& g : store.list_grants()) {
        if (!cmd.filter.empty() && (by_account ? g.account_name : g.user_name) != cmd.filter)
            continue;
        doc.push_back({{"user", g.user_name},
                       {"account", g.account_name},
                       {"granted_at", utc_text(g.created_at)}});
        table.add_row({g.user_name, g.account_name, utc_text(g.created_at)});
    }
    if (cmd.json) return print_json(ctx.out, doc);
    table.print(ctx.out);
}

}  // namespace

void run_listing_command(const Command& cmd, Context& ctx, Store& store) {
    switch (cmd.verb) {
        case Verb::user_list:
            return user_list(cmd, ctx, store);
        case Verb::user_show:
            return user_show(cmd, ctx, store);
        case Verb::host_list:
            return host_list(cmd, ctx, store);
        case Verb::account_list:
            return account_list(cmd, ctx, store);
        case Verb::grant_list:
            return grant_list(cmd, ctx, store);
        default:
            throw AdminError("not a listing command");
    }
}

}  // namespace tandem::admin
