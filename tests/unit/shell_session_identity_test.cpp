#include "session_identity.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace tandem {
namespace {

TEST(ShellSessionIdentity, UuidsAreVersion4AndDistinct) {
    const std::regex shape("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        const auto uuid = new_session_uuid();
        EXPECT_TRUE(std::regex_match(uuid, shape)) << uuid;
        seen.insert(uuid);
    }
    EXPECT_EQ(seen.size(), 200u);
}

TEST(ShellSessionIdentity, RecordingFileName) {
    // 2024-02-29 13:14:15 UTC
    EXPECT_EQ(recording_file_name(1709212455, "alice", "root@web01", "0f0e-42"),
              "20240229-131415-alice-root@web01-0f0e-42.cast");
}

TEST(ShellSessionIdentity, RecordingFileNameCannotLeaveTheDirectory) {
    const auto name = recording_file_name(0, "../etc", "root@web/01", "x/y");
    EXPECT_EQ(name.find('/'), std::string::npos);
    EXPECT_EQ(name, "19700101-000000-_.._etc-root@web_01-x_y.cast");
}

TEST(ShellSessionIdentity, ClientFromSshConnection) {
    EXPECT_EQ(client_from_ssh_connection("192.0.2.7 53422 10.0.0.1 22"), "ssh 192.0.2.7:53422");
    EXPECT_EQ(client_from_ssh_connection("::1 40000 ::1 2222"), "ssh [::1]:40000");
    EXPECT_EQ(client_from_ssh_connection(nullptr), "local");
    EXPECT_EQ(client_from_ssh_connection(""), "local");
    EXPECT_EQ(client_from_ssh_connection("1.2.3.4; rm 5 6 7"), "local");
}

}  // namespace
}  // namespace tandem
