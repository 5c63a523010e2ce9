#include "tandem/log.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace tandem {
namespace {

namespace fs = std::filesystem;

class LogTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/tandem-log-test-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        path_ = dir_ + "/tandem.log";
    }
    void TearDown() override {
        log::init("tandem", log::Sink::stderr_stream, log::Level::info);
        fs::remove_all(dir_);
    }
    std::vector<std::string> lines() const {
        std::ifstream in(path_);
        std::vector<std::string> out;
        for (std::string line; std::getline(in, line);) out.push_back(line);
        return out;
    }
    std::string dir_;
    std::string path_;
};

TEST_F(LogTest, FileLinesHaveTimestampProgramPidAndLevel) {
    log::init("tandem-sshd", log::Sink::file, log::Level::info, path_);
    log::info("listening on 127.0.0.1:2222");
    log::debug("not shown at info");
    log::error("boom");
    const auto got = lines();
    ASSERT_EQ(got.size(), 2u);
    const std::regex line(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ tandem-sshd\[(\d+)\] (\w+): (.*)$)");
    std::smatch m;
    ASSERT_TRUE(std::regex_match(got[0], m, line)) << got[0];
    EXPECT_EQ(m[1], std::to_string(::getpid()));
    EXPECT_EQ(m[2], "info");
    EXPECT_EQ(m[3], "listening on 127.0.0.1:2222");
    ASSERT_TRUE(std::regex_match(got[1], m, line)) << got[1];
    EXPECT_EQ(m[2], "error");
    struct stat st {};
    ASSERT_EQ(::stat(path_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(LogTest, ControlCharactersCannotForgeLines) {
    log::init("t", log::Sink::file, log::Level::debug, path_);
    log::warn("user typed \"x\nFAKE info: admin logged in\x1b[2J\"");
    const auto got = lines();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_NE(got[0].find("x\\nFAKE info: admin logged in\\x1b[2J"), std::string::npos) << got[0];
    EXPECT_NE(got[0].find(" warn: "), std::string::npos);
}

TEST_F(LogTest, LevelsParseAndConfigPicksTheSink) {
    EXPECT_EQ(log::parse_level("debug"), log::Level::debug);
    EXPECT_EQ(log::parse_level("warn"), log::Level::warn);
    EXPECT_EQ(log::parse_level("error"), log::Level::error);
    EXPECT_EQ(log::parse_level("bogus"), log::Level::info);
    log::init_from_config("tandem-shell", path_, "warn", log::Sink::syslog);
    log::info("filtered");
    log::warn("kept");
    const auto got = lines();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_NE(got[0].find("tandem-shell["), std::string::npos);
    EXPECT_NE(got[0].find("kept"), std::string::npos);
}

TEST_F(LogTest, SeveralProcessesShareOneFileWithoutTornLines) {
    constexpr int kProcesses = 4;
    constexpr int kLines = 500;
    const std::string payload(300, 'p');
    std::vector<pid_t> children;
    for (int p = 0; p < kProcesses; ++p) {
        const pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            log::init("w" + std::to_string(p), log::Sink::file, log::Level::info, path_);
            for (int i = 0; i < kLines; ++i) log::info(payload + std::to_string(i));
            ::_exit(0);
        }
        children.push_back(pid);
    }
    for (pid_t pid : children) ::waitpid(pid, nullptr, 0);
    const auto got = lines();
    ASSERT_EQ(got.size(), static_cast<std::size_t>(kProcesses * kLines));
    const std::regex whole(R"(^\S+ w\d\[\d+\] info: p{300}\d+$)");
    for (const auto& line : got) ASSERT_TRUE(std::regex_match(line, whole)) << line;
}

}  // namespace
}  // namespace tandem
