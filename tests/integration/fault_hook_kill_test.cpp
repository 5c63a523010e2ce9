// A session hook (tandem-shell) killed with SIGKILL: nothing of it can clean up, yet its
// recording stays a valid asciicast holding what was shown a second before, invitees are told
// T_705, and the store records the session's end (the broker reconciles: at once when it runs,
// else when it starts).
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "harness/paths.hpp"
#include "harness/sharing_fixture.hpp"

namespace tandem::test {
namespace {

using FaultHookKill = SharingTest;

std::string program_name(pid_t pid) {
    std::string comm;
    std::getline(std::ifstream("/proc/" + std::to_string(pid) + "/comm"), comm);
    return comm;
}

// The tandem-shell processes tandem-sshd runs now.
std::vector<pid_t> hooks(const BastionInstance& bastion) {
    std::vector<pid_t> found;
    for (pid_t pid : bastion.sshd_descendants())
        if (program_name(pid) == "tandem-shell") found.push_back(pid);
    return found;
}

// The one recording's output events joined; fails the test on any line that is not a whole
// asciicast v2 header or event.
std::string recorded_output(const std::string& dir) {
    std::vector<std::string> casts;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        if (entry.path().extension() == ".cast") casts.push_back(entry.path().string());
    EXPECT_EQ(casts.size(), 1u) << "recordings in " << dir;
    if (casts.empty()) return {};
    std::ifstream cast(casts[0]);
    std::string line, output;
    EXPECT_TRUE(std::getline(cast, line));
    const auto header = nlohmann::json::parse(line, nullptr, false);
    EXPECT_EQ(header.is_object() ? header.value("version", 0) : 0, 2) << line;
    while (std::getline(cast, line)) {
        const auto event = nlohmann::json::parse(line, nullptr, false);
        const bool whole =
            event.is_array() && event.size() == 3 && event[1].is_string() && event[2].is_string();
        EXPECT_TRUE(whole) << "not a whole asciicast event: " << printable(line.substr(0, 200));
        if (whole && event[1] == "o") output += event[2].get<std::string>();
    }
    EXPECT_TRUE(cast.eof());
    return output;
}

// Polls `tandem-admin sessions` until alice's session shows `reason`.
bool session_ended_with(BastionInstance& bastion, const std::string& reason,
                        std::chrono::seconds within) {
    for (auto deadline = Clock::now() + within; Clock::now() < deadline;) {
        if (bastion.admin_ok({"sessions"}).out.find(reason) != std::string::npos) return true;
        std::this_thread::sleep_for(200ms);  // the broker reconciles every 2 s
    }
    return false;
}

// alice at the host's shell with the marker on screen and in the recording (a flush later),
// and her hook's pid.
pid_t alice_hook_after_marker(BastionInstance& bastion, PtySession& alice,
                              const std::string& marker) {
    const auto found = hooks(bastion);
    EXPECT_EQ(found.size(), 1u) << "exactly alice's hook should run";
    alice.send_line(print_command(marker));
    EXPECT_TRUE(alice.expect(marker + "\r\n", 20s));
    std::this_thread::sleep_for(1500ms);  // the recording's flush cadence is one second
    return found.empty() ? -1 : found.front();
}

TEST_F(FaultHookKill, InviteesAreToldTheSessionEndedAndTheStoreAndRecordingStayTrue) {
    auto alice = creator();
    const auto marker = unique_marker("shown-before-the-kill");
    const pid_t hook = alice_hook_after_marker(*bastion, *alice, marker);
    ASSERT_GT(hook, 0);
    auto invite = share(*alice);
    ASSERT_TRUE(invite);
    auto bob = join(bob_key, invite->token);
    ASSERT_TRUE(bob->expect(marker, 30s)) << "bob must see the live screen first";
    EXPECT_EQ(bastion->admin_ok({"sessions", "--live"}).out.find("hook lost"), std::string::npos);

    ASSERT_EQ(::kill(hook, SIGKILL), 0);
    const auto killed = Clock::now();

    EXPECT_TRUE(expect_ended_with(*bob, ErrorCode::T_705_session_ended));
    EXPECT_TRUE(alice->read_all_until_exit(30s)) << "alice's ssh outlived her hook:\n"
                                                 << alice->tail();
    EXPECT_TRUE(session_ended_with(*bastion, "hook lost", 10s))
        << "the store still shows the session live:\n"
        << bastion->admin_ok({"sessions"}).out;
    std::printf("[ measure  ] the store recorded the end %.2f s after the SIGKILL\n",
                std::chrono::duration<double>(Clock::now() - killed).count());
    const auto live = bastion->admin_ok({"sessions", "--live"}).out;
    EXPECT_EQ(live.find("alice"), std::string::npos) << "still listed live:\n" << live;
    const auto audit = bastion->admin_ok({"audit"}).out;
    EXPECT_NE(audit.find("session.lost"), std::string::npos) << audit;

    const auto output = recorded_output(bastion->recordings_dir());
    EXPECT_NE(output.find(marker + "\r\n"), std::string::npos)
        << "the recording lost what was shown a second before the kill:\n"
        << printable(output.substr(output.size() > 2000 ? output.size() - 2000 : 0));
}

TEST_F(FaultHookKill, ABrokerStartingAfterTheKillEndsTheSessionInTheStore) {
    bastion->stop_broker();
    auto alice = creator();
    const pid_t hook =
        alice_hook_after_marker(*bastion, *alice, unique_marker("broker-down-while-killed"));
    ASSERT_GT(hook, 0);
    ASSERT_EQ(::kill(hook, SIGKILL), 0);
    EXPECT_TRUE(alice->read_all_until_exit(30s)) << alice->tail();
    std::this_thread::sleep_for(1s);
    EXPECT_NE(bastion->admin_ok({"sessions", "--live"}).out.find("alice"), std::string::npos)
        << "nothing but the broker ends a killed hook's session: this check needs it live";

    bastion->restart_broker();
    EXPECT_TRUE(session_ended_with(*bastion, "hook lost", 10s))
        << bastion->admin_ok({"sessions"}).out;
    // Control: a session whose hook runs is left alone by the same reconciliation.
    auto again = creator();
    std::this_thread::sleep_for(2500ms);  // at least one reconciliation pass
    EXPECT_NE(bastion->admin_ok({"sessions", "--live"}).out.find("alice"), std::string::npos)
        << "a running session was ended by the reconciliation";
    const auto still = unique_marker("still-running");
    again->send_line(print_command(still));
    EXPECT_TRUE(again->expect(still + "\r\n", 20s));
}

}  // namespace
}  // namespace tandem::test
