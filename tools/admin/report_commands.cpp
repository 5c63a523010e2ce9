// sessions [--live], audit: read-only reports (tables, or --json as docs/admin.md lists).
#include <algorithm>
#include <ctime>
#include <ostream>

#include "admin_commands.hpp"
#include "text_table.hpp"

namespace tandem::admin {
namespace {

constexpr int kDefaultSessionRows = 50;
constexpr int kDefaultAuditRows = 100;

std::string utc(UnixTime t) {
    return utc_text(t);
}

std::string duration(UnixTime seconds) {
    if (seconds < 0) seconds = 0;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(seconds / 3600),
                  static_cast<long long>(seconds / 60 % 60), static_cast<long long>(seconds % 60));
    return buf;
}

std::string outcome(const SessionRecord& s) {
    if (!s.ended_at) return "live";
    std::string out = s.end_reason.empty() ? "ended" : s.end_reason;
    if (s.exit_status) out += " (exit " + std::to_string(*s.exit_status) + ")";
    return out;
}

nlohmann::json session_json(const SessionRecord& s) {
    return {{"id", s.uuid},
            {"user", s.user_name},
            {"account", s.account_name},
            {"via", s.via},
            {"client", s.client},
            {"started_at", utc(s.started_at)},
            {"ended_at", s.ended_at ? nlohmann::json(utc(*s.ended_at)) : nlohmann::json()},
            {"status", outcome(s)},
            {"exit_status", s.exit_status ? nlohmann::json(*s.exit_status) : nlohmann::json()},
            {"bytes_in", s.bytes_in},
            {"bytes_out", s.bytes_out},
            {"recording", s.recording_path},
            {"node", s.node}};
}

void sessions(const Command& cmd, Context& ctx, Store& store) {
    const auto rows = store.list_sessions(cmd.limit ? cmd.limit : kDefaultSessionRows);
    if (cmd.json) {
        nlohmann::json doc = nlohmann::json::array();
        for (const auto& s : rows) doc.push_back(session_json(s));
        return print_json(ctx.out, doc);
    }
    TextTable table(
        {"STARTED", "DURATION", "USER", "ACCOUNT", "VIA", "STATUS", "CLIENT", "ID", "RECORDING"});
    const UnixTime now = now_unix();
    for (const auto& s : rows)
        table.add_row({utc(s.started_at), duration(s.ended_at.value_or(now) - s.started_at),
                       s.user_name, s.account_name, s.via, outcome(s), s.client, s.uuid,
                       s.recording_path});
    table.print(ctx.out);
}

// Who takes part besides the creator: "bob (web), carol (ssh)".
std::string participant_list(const SessionSharing& sharing) {
    std::string out;
    for (const auto& p : sharing.participants)
        out += (out.empty() ? "" : ", ") + p.user_name + " (" + p.via + ")";
    return out.empty() ? "-" : out;
}

void live_sessions(const Command& cmd, Context& ctx, Store& store) {
    auto rows = store.list_live_sessions();
    if (cmd.limit && rows.size() > static_cast<std::size_t>(cmd.limit)) rows.resize(cmd.limit);
    const UnixTime now = now_unix();
    if (cmd.json) {
        nlohmann::json doc = nlohmann::json::array();
        for (const auto& r : rows) {
            nlohmann::json j = session_json(r.session);
            j.erase("ended_at");
            j.erase("exit_status");
            j["shared"] = r.sharing.shared;
            j["controller"] = r.sharing.shared ? r.sharing.controller : r.session.user_name;
            j["participants"] = nlohmann::json::array();
            for (const auto& p : r.sharing.participants)
                j["participants"].push_back(
                    {{"user", p.user_name}, {"via", p.via}, {"client", p.client}});
            doc.push_back(std::move(j));
        }
        return print_json(ctx.out, doc);
    }
    // Which node runs each session, once there are named nodes (docs/cluster.md).
    const bool nodes = std::any_of(rows.begin(), rows.end(), [](const LiveSessionRecord& r) {
        return !r.session.node.empty();
    });
    std::vector<std::string> header{"SINCE",        "FOR",     "USER", "ACCOUNT", "VIA", "SHARED",
                                    "PARTICIPANTS", "CONTROL", "IN",   "OUT",     "ID"};
    if (nodes) header.push_back("NODE");
    TextTable table(header);
    for (const auto& r : rows) {
        const auto& s = r.session;
        std::vector<std::string> row{
            utc(s.started_at),
            duration(now - s.started_at),
            s.user_name,
            s.account_name,
            s.via,
            r.sharing.shared ? "yes" : "no",
            participant_list(r.sharing),
            r.sharing.shared && !r.sharing.controller.empty() ? r.sharing.controller : s.user_name,
            std::to_string(s.bytes_in),
            std::to_string(s.bytes_out),
            s.uuid};
        if (nodes) row.push_back(s.node.empty() ? "-" : s.node);
        table.add_row(row);
    }
    table.print(ctx.out);
}

void audit(const Command& cmd, Context& ctx, Store& store) {
    AuditQuery query = cmd.audit;
    query.limit = cmd.limit ? cmd.limit : kDefaultAuditRows;
    const auto events = store.search_audit(query);
    if (cmd.json) {
        nlohmann::json doc = nlohmann::json::array();
        for (const auto& e : events)
            doc.push_back({{"at", utc(e.at)},
                           {"actor", e.actor},
                           {"action", e.action},
                           {"subject", e.subject},
                           {"detail", e.detail}});
        return print_json(ctx.out, doc);
    }
    TextTable table({"AT", "ACTOR", "ACTION", "SUBJECT", "DETAIL"});
    for (const auto& e : events) table.add_row({utc(e.at), e.actor, e.action, e.subject, e.detail});
    table.print(ctx.out);
}

}  // namespace

void run_report_command(const Command& cmd, Context& ctx, Store& store) {
    switch (cmd.verb) {
        case Verb::sessions:
            return cmd.live ? live_sessions(cmd, ctx, store) : sessions(cmd, ctx, store);
        case Verb::audit:
            return audit(cmd, ctx, store);
        default:
            throw AdminError("not a report command");
    }
}

}  // namespace tandem::admin
