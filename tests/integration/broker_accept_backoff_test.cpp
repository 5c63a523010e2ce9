// Out of file descriptors, tandem-broker's hook socket must back off instead of spinning on
// accept() (the pending connection stays queued, so an immediate retry fails again at once): at
// most a log line a second, and service again as soon as descriptors are free.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "harness/bastion_instance.hpp"
#include "harness/broker_client.hpp"
#include "harness/paths.hpp"
#include "harness/temp_dir.hpp"

namespace tandem::test {
namespace {

std::size_t open_descriptors(pid_t pid) {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
        ++n;
    return n;
}

std::size_t count_lines_with(const std::string& path, const std::string& text) {
    const std::string log = file_exists(path) ? read_file(path) : std::string();
    std::size_t n = 0;
    for (std::size_t pos = log.find(text); pos != std::string::npos; pos = log.find(text, pos + 1))
        ++n;
    return n;
}

// A nonblocking connect: -1 once the broker's accept queue is full (EAGAIN).
int connect_unix(const std::string& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

TEST(BrokerAcceptBackoff, OutOfDescriptorsTheHookSocketBacksOffAndRecovers) {
    if (binaries_sanitized()) {
        // The sanitizer runtime needs descriptors of its own (UBSan's vptr check probes memory
        // through one): starved on purpose, it reports errors that are not there. The normal
        // tree runs this test.
        GTEST_SKIP() << "descriptor exhaustion starves the sanitizer runtime itself";
    }
    TempDir tmp{"backoff"};
    BastionInstance bastion(tmp.subdir("bastion"));
    bastion.start_broker();
    const pid_t broker = bastion.broker_pid();

    // Leave the broker a handful of descriptors beyond what it holds now.
    const rlim_t limit = open_descriptors(broker) + 8;
    const rlimit low{limit, limit};
    ASSERT_EQ(::prlimit(broker, RLIMIT_NOFILE, &low, nullptr), 0) << std::strerror(errno);

    // The attack: connections until the broker cannot accept and its queue is full.
    std::vector<int> flood;
    for (int i = 0; i < 400; ++i) {
        const int fd = connect_unix(bastion.broker_socket());
        if (fd < 0) break;
        flood.push_back(fd);
    }
    ASSERT_GT(flood.size(), limit) << "the flood did not outnumber the broker's descriptors";
    const std::string marker = "hook socket: accept failed";
    // Until the first failure shows, then over two seconds of exhaustion.
    for (int i = 0; i < 50 && count_lines_with(bastion.log_path(), marker) == 0; ++i)
        std::this_thread::sleep_for(100ms);
    const std::size_t before = count_lines_with(bastion.log_path(), marker);
    ASSERT_GT(before, 0u) << "the broker never ran out of descriptors\n" << bastion.diagnostics();
    std::this_thread::sleep_for(2s);
    const std::size_t during = count_lines_with(bastion.log_path(), marker) - before;
    EXPECT_LE(during, 3u) << "accept failures logged over 2 s of exhaustion";
    EXPECT_GE(during, 1u) << "the failures stopped being reported while they went on";

    // Positive control: once the descriptors are free again, a hook registers as usual.
    for (int fd : flood) ::close(fd);
    BrokerClient hook(bastion.broker_socket());
    hook.send_json(FrameType::hello, {{"v", kWireProtocolVersion},
                                      {"role", "session"},
                                      {"session", "backoff-test"},
                                      {"user", "alice"},
                                      {"account", "root@web01"},
                                      {"cols", 80},
                                      {"rows", 24}});
    const auto ack = hook.await(FrameType::reply, 15s);
    ASSERT_TRUE(ack) << "the broker did not serve a hook after the descriptors came back\n"
                     << bastion.diagnostics();
    EXPECT_TRUE(nlohmann::json::parse(ack->payload).value("ok", false)) << ack->payload;
}

}  // namespace
}  // namespace tandem::test
