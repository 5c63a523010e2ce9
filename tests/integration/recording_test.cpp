// Every session is recorded as asciicast v2 and listed by `tandem-admin sessions`.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "harness/bastion_fixture.hpp"
#include "harness/paths.hpp"

namespace tandem::test {
namespace {

using Recording = BastionTest;

std::vector<std::string> cast_files(const std::string& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
        if (entry.path().extension() == ".cast") out.push_back(entry.path().string());
    return out;
}

TEST_F(Recording, CastFileHasTheHeaderAndPlaysBackWhatTheUserSaw) {
    auto marker = unique_marker("recorded");
    {
        auto ssh = alice({}, 100, 30);
        ASSERT_TRUE(connect_from_prompt(*ssh, account));
        ssh->send_line(print_command(marker));
        ASSERT_TRUE(ssh->expect(marker + "\r\n"));
        ssh->send_line("exit 3");
        ASSERT_TRUE(ssh->expect(kPrompt));
        ssh->send_line("exit");
        ASSERT_EQ(ssh->read_all_until_exit(30s), 0) << ssh->tail();
    }

    auto files = cast_files(bastion->recordings_dir());
    ASSERT_EQ(files.size(), 1u) << "recordings in " << bastion->recordings_dir();
    std::ifstream cast(files[0]);
    std::string line;
    ASSERT_TRUE(std::getline(cast, line));
    auto header = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(header.is_discarded()) << "header is not JSON: " << line;
    EXPECT_EQ(header.value("version", 0), 2) << line;
    EXPECT_EQ(header.value("width", 0), 100) << line;
    EXPECT_EQ(header.value("height", 0), 30) << line;
    EXPECT_TRUE(header.contains("timestamp")) << line;

    // Every event is [time, code, data] with non-decreasing times; "o" events are the output.
    std::string output;
    double last_time = 0;
    int events = 0;
    while (std::getline(cast, line)) {
        auto event = nlohmann::json::parse(line, nullptr, false);
        ASSERT_TRUE(event.is_array() && event.size() == 3) << "bad event line: " << line;
        ASSERT_TRUE(event[0].is_number() && event[1].is_string() && event[2].is_string()) << line;
        double t = event[0].get<double>();
        EXPECT_GE(t, last_time) << line;
        last_time = t;
        if (event[1] == "o") output += event[2].get<std::string>();
        ++events;
    }
    EXPECT_GT(events, 0);
    EXPECT_NE(output.find(marker + "\r\n"), std::string::npos)
        << "the recording's output lacks the marker:\n"
        << printable(output.substr(0, 3000));

    auto sessions = bastion->admin_ok({"sessions"});
    EXPECT_NE(sessions.out.find("alice"), std::string::npos) << sessions.out;
    EXPECT_NE(sessions.out.find(account), std::string::npos) << sessions.out;
    // The host's shell ended with `exit 3`: the end reason and the status, and where the
    // recording is.
    EXPECT_NE(sessions.out.find("exit (exit 3)"), std::string::npos)
        << "the session's end reason is missing:\n"
        << sessions.out;
    EXPECT_NE(sessions.out.find(files[0]), std::string::npos) << sessions.out;
}

TEST_F(Recording, RecordingIsReadableWhileTheSessionIsStillRunning) {
    // Flushed at least once a second, so a crash loses at most the last second.
    auto ssh = alice(account);
    ASSERT_TRUE(await_host_shell(*ssh));
    auto marker = unique_marker("live");
    ssh->send_line(print_command(marker));
    ASSERT_TRUE(ssh->expect(marker + "\r\n"));

    bool found = false;
    for (auto deadline = Clock::now() + 10s; !found && Clock::now() < deadline;) {
        for (const auto& f : cast_files(bastion->recordings_dir()))
            if (read_file(f).find(marker) != std::string::npos) found = true;
        if (!found) std::this_thread::sleep_for(100ms);  // polling the file for the flush
    }
    EXPECT_TRUE(found) << "the marker was not in the recording within 10 s of being shown";
}

}  // namespace
}  // namespace tandem::test
