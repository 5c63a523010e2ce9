// Parsing `tandem-admin sessions ...` and `audit ...`, and their time bounds.
#include <ctime>
#include <regex>

#include "command_scan.hpp"

namespace tandem::admin {
namespace {

UnixTime utc_time(int year, int month, int day, int hour, int minute, int second) {
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    return static_cast<UnixTime>(timegm(&tm));
}

}  // namespace

UnixTime parse_time_bound(const std::string& text, UnixTime now) {
    static const std::regex age(R"(^([0-9]{1,6})([smhd])$)");
    static const std::regex date(
        R"(^([0-9]{4})-([0-9]{2})-([0-9]{2})(T([0-9]{2}):([0-9]{2})(:([0-9]{2}))?Z)?$)");
    std::smatch m;
    if (std::regex_match(text, m, age)) {
        const UnixTime n = std::stoll(m[1]);
        const char unit = m[2].str()[0];
        return now - n * (unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : 86400);
    }
    if (std::regex_match(text, m, date)) {
        const int month = std::stoi(m[2]), day = std::stoi(m[3]);
        const int hour = m[4].matched ? std::stoi(m[5]) : 0;
        const int minute = m[4].matched ? std::stoi(m[6]) : 0;
        const int second = m[7].matched ? std::stoi(m[8]) : 0;
        if (month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 &&
            second <= 59)
            return utc_time(std::stoi(m[1]), month, day, hour, minute, second);
    }
    throw UsageError("bad time '" + text +
                     "': use 2026-11-30, 2026-11-30T12:00Z or an age such as 30m, 2h, 7d");
}

Command parse_report(const std::vector<std::string>& args) {
    const std::string& verb = args[0];
    Command c;
    if (verb == "sessions") {
        const std::string usage = "usage: tandem-admin sessions [--live] [--limit N] [--json]";
        auto s =
            scan(args, 1, {{"limit", true, false}, {"live", false, false}, {"json", false, false}},
                 usage);
        expect_positionals(s, 0, usage);
        c.verb = Verb::sessions;
        c.live = s.has("live");
        c.json = s.has("json");
        if (auto limit = s.value("limit")) c.limit = checked_number(*limit, "limit", 1, 100000);
        return c;
    }
    const std::string usage =
        "usage: tandem-admin audit [--user U] [--account LOGIN@HOST] [--event E] [--since T] "
        "[--until T] [--limit N] [--json]";
    auto s = scan(args, 1,
                  {{"limit", true, false},
                   {"json", false, false},
                   {"user", true, false},
                   {"account", true, false},
                   {"event", true, false},
                   {"since", true, false},
                   {"until", true, false}},
                  usage);
    expect_positionals(s, 0, usage);
    c.verb = Verb::audit;
    c.json = s.has("json");
    if (auto limit = s.value("limit")) c.limit = checked_number(*limit, "limit", 1, 100000);
    if (auto user = s.value("user")) c.audit.user = checked_user(*user);
    if (auto account = s.value("account")) c.audit.account = checked_account(*account).text();
    if (auto event = s.value("event")) {
        static const std::regex re(R"(^[a-z][a-z0-9_.-]{0,63}$)");
        if (!std::regex_match(*event, re))
            throw UsageError("bad event '" + *event +
                             "': give an action such as session.start, or a family such as "
                             "session");
        c.audit.event = *event;
    }
    const UnixTime now = now_unix();
    if (auto since = s.value("since")) c.audit.since = parse_time_bound(*since, now);
    if (auto until = s.value("until")) c.audit.until = parse_time_bound(*until, now);
    if (c.audit.since && c.audit.until && c.audit.since > c.audit.until)
        throw UsageError("--since is after --until; " + usage);
    return c;
}

}  // namespace tandem::admin
