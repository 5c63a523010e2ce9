// sessions, audit: read-only reports, newest first.
#include <ctime>
#include <ostream>

#include "admin_commands.hpp"
#include "text_table.hpp"

namespace tandem::admin {
namespace {

constexpr int kDefaultSessionRows = 50;
constexpr int kDefaultAuditRows = 100;

std::string utc(UnixTime t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
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

void sessions(const Command& cmd, Context& ctx, Store& store) {
    TextTable table(
        {"STARTED", "DURATION", "USER", "ACCOUNT", "STATUS", "CLIENT", "ID", "RECORDING"});
    const UnixTime now = now_unix();
    for (const auto& s : store.list_sessions(cmd.limit ? cmd.limit : kDefaultSessionRows))
        table.add_row({utc(s.started_at), duration(s.ended_at.value_or(now) - s.started_at),
                       s.user_name, s.account_name, outcome(s), s.client, s.uuid,
                       s.recording_path});
    table.print(ctx.out);
}

void audit(const Command& cmd, Context& ctx, Store& store) {
    TextTable table({"AT", "ACTOR", "ACTION", "SUBJECT", "DETAIL"});
    for (const auto& e : store.list_audit(cmd.limit ? cmd.limit : kDefaultAuditRows))
        table.add_row({utc(e.at), e.actor, e.action, e.subject, e.detail});
    table.print(ctx.out);
}

}  // namespace

void run_report_command(const Command& cmd, Context& ctx, Store& store) {
    switch (cmd.verb) {
        case Verb::sessions:
            return sessions(cmd, ctx, store);
        case Verb::audit:
            return audit(cmd, ctx, store);
        default:
            throw AdminError("not a report command");
    }
}

}  // namespace tandem::admin
