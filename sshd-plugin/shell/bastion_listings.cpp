#include "bastion_listings.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace tandem {
namespace {

std::string pad(const std::string& text, std::size_t width) {
    return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

std::string utc_time(UnixTime at) {
    const std::time_t t = static_cast<std::time_t>(at);
    std::tm utc{};
    ::gmtime_r(&t, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &utc);
    return text;
}

}  // namespace

std::string format_duration(UnixTime seconds) {
    if (seconds < 0) seconds = 0;
    const auto h = seconds / 3600;
    const auto m = (seconds / 60) % 60;
    const auto s = seconds % 60;
    char text[48];
    if (h > 0)
        std::snprintf(text, sizeof text, "%lldh%02lldm%02llds", static_cast<long long>(h),
                      static_cast<long long>(m), static_cast<long long>(s));
    else if (m > 0)
        std::snprintf(text, sizeof text, "%lldm%02llds", static_cast<long long>(m),
                      static_cast<long long>(s));
    else
        std::snprintf(text, sizeof text, "%llds", static_cast<long long>(s));
    return text;
}

std::string format_hosts(const std::vector<GrantedAccount>& accounts) {
    if (accounts.empty())
        return "You hold no grants on any account; ask an administrator for one.\n";
    std::size_t width = 0;
    for (const auto& a : accounts) width = std::max(width, a.name.size());
    std::string out;
    for (const auto& a : accounts) out += pad(a.name, width + 2) + a.address + "\n";
    return out;
}

std::string format_sessions(const std::vector<SessionRecord>& sessions, UnixTime now) {
    if (sessions.empty()) return "You have no sessions yet.\n";
    std::size_t width = std::string("account").size();
    for (const auto& s : sessions) width = std::max(width, s.account_name.size());
    std::string out =
        pad("started (UTC)", 21) + pad("account", width + 2) + pad("duration", 11) + "end\n";
    for (const auto& s : sessions) {
        const UnixTime end = s.ended_at.value_or(now);
        std::string how;
        if (!s.ended_at) {
            how = "running";
        } else {
            how = s.end_reason.empty() ? "ended" : s.end_reason;
            if (s.exit_status) how += " (status " + std::to_string(*s.exit_status) + ")";
        }
        out += pad(utc_time(s.started_at), 21) + pad(s.account_name, width + 2) +
               pad(format_duration(end - s.started_at), 11) + how + "\n";
    }
    return out;
}

}  // namespace tandem
