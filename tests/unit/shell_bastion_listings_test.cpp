#include "bastion_listings.hpp"

#include <gtest/gtest.h>

namespace tandem {
namespace {

TEST(ShellBastionListings, HostsOnePerLineWithAddress) {
    EXPECT_EQ(format_hosts({{"root@web01", "10.0.0.5:22"}, {"deploy@db-primary", "10.0.0.9:2222"}}),
              "root@web01         10.0.0.5:22\n"
              "deploy@db-primary  10.0.0.9:2222\n");
}

TEST(ShellBastionListings, NoGrantsSaysSo) {
    EXPECT_NE(format_hosts({}).find("no grants"), std::string::npos);
}

TEST(ShellBastionListings, Durations) {
    EXPECT_EQ(format_duration(0), "0s");
    EXPECT_EQ(format_duration(59), "59s");
    EXPECT_EQ(format_duration(312), "5m12s");
    EXPECT_EQ(format_duration(3723), "1h02m03s");
}

TEST(ShellBastionListings, SessionsShowWhenAccountDurationAndEnd) {
    SessionRecord ended;
    ended.account_name = "root@web01";
    ended.started_at = 1709212455;  // 2024-02-29 13:14:15 UTC
    ended.ended_at = 1709212455 + 312;
    ended.exit_status = 0;
    ended.end_reason = "exit";
    SessionRecord lost = ended;
    lost.exit_status.reset();
    lost.end_reason = "T_514";
    SessionRecord running = ended;
    running.ended_at.reset();
    running.exit_status.reset();
    const auto text = format_sessions({running, lost, ended}, 1709212455 + 60);
    EXPECT_EQ(text,
              "started (UTC)        account     duration   end\n"
              "2024-02-29 13:14:15  root@web01  1m00s      running\n"
              "2024-02-29 13:14:15  root@web01  5m12s      T_514\n"
              "2024-02-29 13:14:15  root@web01  5m12s      exit (status 0)\n");
}

}  // namespace
}  // namespace tandem
