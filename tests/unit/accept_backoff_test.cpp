// The listeners' policy on a failing accept(): wait 100 ms doubling to 500 ms, log at most
// once a second with the count of failures held back.
#include "tandem/accept_backoff.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

namespace tandem {
namespace {

using namespace std::chrono_literals;

class AcceptBackoffTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/tandem-backoff-test-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        log::init("tandem", log::Sink::file, log::Level::info, dir_ + "/tandem.log");
    }
    void TearDown() override {
        log::init("tandem", log::Sink::stderr_stream, log::Level::info);
        std::filesystem::remove_all(dir_);
    }
    std::vector<std::string> lines() const {
        std::ifstream in(dir_ + "/tandem.log");
        std::vector<std::string> out;
        for (std::string line; std::getline(in, line);) out.push_back(line);
        return out;
    }
    std::string dir_;
};

TEST_F(AcceptBackoffTest, WaitsLongerWhileFailuresGoOnAndStartsOverAfterASuccess) {
    AcceptBackoff backoff("test");
    const auto t = AcceptBackoff::Clock::now();
    EXPECT_EQ(backoff.failed("Too many open files", t), 100ms);
    EXPECT_EQ(backoff.failed("Too many open files", t + 100ms), 200ms);
    EXPECT_EQ(backoff.failed("Too many open files", t + 300ms), 400ms);
    EXPECT_EQ(backoff.failed("Too many open files", t + 700ms), 500ms);
    EXPECT_EQ(backoff.failed("Too many open files", t + 1200ms), 500ms);
    backoff.succeeded();
    EXPECT_EQ(backoff.failed("Too many open files", t + 1300ms), 100ms);
}

TEST_F(AcceptBackoffTest, LogsAtMostOnceASecondCountingTheRest) {
    AcceptBackoff backoff("broker: hook socket");
    const auto t = AcceptBackoff::Clock::now();
    for (int i = 0; i < 1000; ++i)  // a tight loop's worth of failures within one second
        backoff.failed("Too many open files", t + std::chrono::microseconds(i * 900));
    backoff.failed("Too many open files", t + 1000ms);
    const auto written = lines();
    ASSERT_EQ(written.size(), 2u);
    EXPECT_NE(written[0].find("broker: hook socket: accept failed: Too many open files"),
              std::string::npos)
        << written[0];
    EXPECT_NE(written[1].find("(999 more like this since the last report)"), std::string::npos)
        << written[1];
}

}  // namespace
}  // namespace tandem
