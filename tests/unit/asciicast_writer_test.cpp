#include "tandem/asciicast_writer.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tandem/errors.hpp"

namespace tandem {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class AsciicastWriterTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string templ = (fs::temp_directory_path() / "tandem-cast-XXXXXX").string();
        ASSERT_NE(::mkdtemp(templ.data()), nullptr);
        dir_ = templ;
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string path(const std::string& name = "session.cast") const {
        return (fs::path(dir_) / name).string();
    }

    static AsciicastHeader header() {
        AsciicastHeader h;
        h.width = 132;
        h.height = 43;
        h.timestamp = 1700000000;
        h.title = "alice -> root@web01";
        h.env = {{"TERM", "xterm-256color"}, {"SHELL", "/bin/bash"}};
        return h;
    }

    // Every line of the file, each parsed as JSON (a parse error fails the test).
    static std::vector<json> lines_of(const std::string& file) {
        std::ifstream in(file, std::ios::binary);
        std::vector<json> out;
        std::string line;
        while (std::getline(in, line)) {
            try {
                out.push_back(json::parse(line));
            } catch (const std::exception& e) {
                ADD_FAILURE() << "not JSON: " << line << " (" << e.what() << ")";
            }
        }
        return out;
    }

    // The concatenated data of every event of `type`.
    static std::string data_of(const std::vector<json>& lines, const std::string& type) {
        std::string out;
        for (std::size_t i = 1; i < lines.size(); ++i) {
            if (lines[i][1] == type) out += lines[i][2].get<std::string>();
        }
        return out;
    }

    std::string dir_;
};

TEST_F(AsciicastWriterTest, HeaderLineHasTheV2Fields) {
    { AsciicastWriter w(path(), header()); }
    const auto lines = lines_of(path());
    ASSERT_EQ(lines.size(), 1u);
    const json& h = lines[0];
    EXPECT_EQ(h["version"], 2);
    EXPECT_EQ(h["width"], 132);
    EXPECT_EQ(h["height"], 43);
    EXPECT_EQ(h["timestamp"], 1700000000);
    EXPECT_EQ(h["title"], "alice -> root@web01");
    EXPECT_EQ(h["env"]["TERM"], "xterm-256color");
    EXPECT_EQ(h["env"]["SHELL"], "/bin/bash");
}

TEST_F(AsciicastWriterTest, FileIsPrivateAndNeverReplaced) {
    { AsciicastWriter w(path(), header()); }
    struct stat st {};
    ASSERT_EQ(::stat(path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    try {
        AsciicastWriter again(path(), header());
        FAIL() << "an existing recording was opened again";
    } catch (const TandemError& e) {
        EXPECT_EQ(e.code(), ErrorCode::T_601_recording_failed);
    }
    EXPECT_THROW(AsciicastWriter(path("missing-dir/x.cast"), header()), TandemError);
}

TEST_F(AsciicastWriterTest, EventsOfEveryType) {
    {
        AsciicastWriter w(path(), header());
        w.output("hello\r\n");
        w.input("ls\r");
        w.marker("control: bob");
        w.resize(100, 30);
        EXPECT_FALSE(w.failed());
    }
    const auto lines = lines_of(path());
    ASSERT_EQ(lines.size(), 5u);
    const std::vector<std::pair<std::string, std::string>> want = {
        {"o", "hello\r\n"}, {"i", "ls\r"}, {"m", "control: bob"}, {"r", "100x30"}};
    for (std::size_t i = 0; i < want.size(); ++i) {
        const json& e = lines[i + 1];
        ASSERT_TRUE(e.is_array());
        ASSERT_EQ(e.size(), 3u);
        EXPECT_TRUE(e[0].is_number_float());
        EXPECT_EQ(e[1], want[i].first);
        EXPECT_EQ(e[2], want[i].second);
    }
}

TEST_F(AsciicastWriterTest, ControlCharactersQuotesAndBackslashesSurvive) {
    std::string all;
    for (int b = 0; b < 0x80; ++b) all += static_cast<char>(b);
    all += "\x1b[1;31m\"quoted\" back\\slash\x1b[0m";
    {
        AsciicastWriter w(path(), header());
        w.output(all);
    }
    const auto lines = lines_of(path());
    EXPECT_EQ(data_of(lines, "o"), all);
    // Control bytes are escaped, never raw, in the file.
    std::ifstream in(path(), std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_NE(text.find("\\u001b[1;31m"), std::string::npos);
    EXPECT_EQ(text.find('\x1b'), std::string::npos);
    EXPECT_EQ(text.find('\0'), std::string::npos);
}

TEST_F(AsciicastWriterTest, Utf8SplitAcrossCallsIsCarried) {
    const std::string text =
        "a\xe6\x97\xa5"
        "b\xf0\x9f\x98\x80"
        "c\xc3\xa9";  // a日b😀cé
    for (std::size_t cut1 = 0; cut1 <= text.size(); ++cut1) {
        for (std::size_t cut2 = cut1; cut2 <= text.size(); ++cut2) {
            const std::string file =
                path("split-" + std::to_string(cut1) + "-" + std::to_string(cut2) + ".cast");
            {
                AsciicastWriter w(file, header());
                w.output(text.substr(0, cut1));
                w.output(text.substr(cut1, cut2 - cut1));
                w.output(text.substr(cut2));
            }
            ASSERT_EQ(data_of(lines_of(file), "o"), text) << cut1 << "," << cut2;
        }
    }
    // One byte at a time, input as well.
    {
        AsciicastWriter w(path("bytes.cast"), header());
        for (char ch : text) w.input(std::string_view(&ch, 1));
    }
    EXPECT_EQ(data_of(lines_of(path("bytes.cast")), "i"), text);
}

TEST_F(AsciicastWriterTest, InvalidBytesBecomeReplacementCharacters) {
    const std::string fffd = "\xef\xbf\xbd";
    struct Case {
        std::string in;
        std::string out;
    };
    const std::vector<Case> cases = {
        {"a\xff"
         "b",
         "a" + fffd + "b"},
        {"\x80", fffd},                                          // lone continuation byte
        {"\xc0\xaf", fffd + fffd},                               // overlong '/'
        {"\xed\xa0\x80", fffd + fffd + fffd},                    // UTF-16 surrogate
        {"\xf4\x90\x80\x80", fffd + fffd + fffd + fffd},         // past U+10FFFF
        {"\xe6\x97(", fffd + fffd + "("},                        // truncated, then ASCII
        {"\xe6\x97\xa5\xe6\x97", "\xe6\x97\xa5" + fffd + fffd},  // tail given as 2nd call
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const std::string file = path("invalid-" + std::to_string(i) + ".cast");
        {
            AsciicastWriter w(file, header());
            w.output(cases[i].in);
            w.output("");
            w.output("\xff");  // ends any carried tail
        }
        EXPECT_EQ(data_of(lines_of(file), "o"), cases[i].out + fffd) << "case " << i;
    }
    std::string direct;
    append_json_string(direct, "x\xe6\x97");
    EXPECT_EQ(json::parse(direct).get<std::string>(), "x" + fffd + fffd);
}

TEST_F(AsciicastWriterTest, RandomBytesAlwaysGiveValidJson) {
    std::mt19937 rng(1);
    {
        AsciicastWriter w(path(), header());
        for (int i = 0; i < 300; ++i) {
            std::string chunk(rng() % 64, '\0');
            for (char& ch : chunk) ch = static_cast<char>(rng());
            w.output(chunk);
        }
    }
    EXPECT_GT(lines_of(path()).size(), 250u);
}

TEST_F(AsciicastWriterTest, TimesAreSecondsAndNeverGoBack) {
    {
        AsciicastWriter w(path(), header());
        w.output("first");
        std::this_thread::sleep_for(std::chrono::milliseconds(30));  // let time pass, measured
        for (int i = 0; i < 1000; ++i) w.output("x");
    }
    const auto lines = lines_of(path());
    ASSERT_EQ(lines.size(), 1002u);
    double previous = 0;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const double t = lines[i][0].get<double>();
        EXPECT_GE(t, previous);
        previous = t;
    }
    EXPECT_LT(lines[1][0].get<double>(), 0.03);
    EXPECT_GE(lines[2][0].get<double>(), 0.03);
    // Microsecond precision: six decimals.
    std::ifstream in(path());
    std::string header_line, event_line;
    std::getline(in, header_line);
    std::getline(in, event_line);
    const auto dot = event_line.find('.');
    EXPECT_EQ(event_line.find(',') - dot - 1, 6u) << event_line;
}

TEST_F(AsciicastWriterTest, TickFlushesOnceASecondHasPassed) {
    AsciicastWriter w(path(), header());
    const auto header_size = fs::file_size(path());
    w.output("buffered");
    w.tick();
    EXPECT_EQ(fs::file_size(path()), header_size);  // no flush per event
    std::this_thread::sleep_for(std::chrono::milliseconds(1050));
    w.tick();
    EXPECT_GT(fs::file_size(path()), header_size);
    EXPECT_EQ(data_of(lines_of(path()), "o"), "buffered");
}

TEST_F(AsciicastWriterTest, AsciinemaPlaysTheFile) {
    if (::access("/usr/bin/asciinema", X_OK) != 0) GTEST_SKIP() << "asciinema not installed";
    const std::string output =
        "hello \x1b[31mworld\x1b[0m\r\n\xe6\x97\xa5\xe6\x9c\xac \"q\" \\ done\r\n";
    {
        AsciicastWriter w(path(), header());
        w.output(output.substr(0, 9));
        w.input("typed");
        w.output(output.substr(9, 15));  // ends inside the UTF-8 of the first CJK character
        w.resize(100, 30);
        w.marker("mark");
        w.output(output.substr(24));
    }
    // asciinema cat insists on a terminal: give it a raw one.
    struct termios raw {};
    ::cfmakeraw(&raw);
    int master = -1;
    const pid_t child = ::forkpty(&master, nullptr, &raw, nullptr);
    ASSERT_GE(child, 0);
    if (child == 0) {
        const std::string file = path();
        ::execlp("asciinema", "asciinema", "cat", file.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
        struct pollfd pfd {
            master, POLLIN, 0
        };
        if (::poll(&pfd, 1, 1000) <= 0) continue;
        char buf[4096];
        const ssize_t n = ::read(master, buf, sizeof buf);
        if (n <= 0) break;  // EIO once asciinema has exited
        got.append(buf, static_cast<std::size_t>(n));
    }
    ::close(master);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << got;
    EXPECT_EQ(got, output);
}

}  // namespace
}  // namespace tandem
