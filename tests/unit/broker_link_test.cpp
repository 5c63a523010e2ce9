#include "tandem/broker_link.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>

namespace tandem {
namespace {

class FakeBroker {
  public:
    FakeBroker() {
        char tmpl[] = "/tmp/tandem-link-test-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        path = dir_ + "/b.sock";
        listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
        EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        EXPECT_EQ(::listen(listen_fd_, 4), 0);
    }
    ~FakeBroker() {
        if (peer_ >= 0) ::close(peer_);
        ::close(listen_fd_);
        std::filesystem::remove_all(dir_);
    }
    void accept() { peer_ = ::accept(listen_fd_, nullptr, nullptr); }
    // Reads whatever is there within `ms` and decodes it.
    void drain(int ms) {
        pollfd p{peer_, POLLIN, 0};
        char buf[65536];
        while (::poll(&p, 1, ms) > 0) {
            ssize_t n = ::recv(peer_, buf, sizeof buf, 0);
            if (n <= 0) return;
            decoder.feed(std::string_view(buf, static_cast<size_t>(n)));
        }
    }
    void send(FrameType type, std::string_view payload) {
        std::string wire;
        encode_frame(wire, type, payload, 1 << 20);
        ASSERT_EQ(::send(peer_, wire.data(), wire.size(), 0), static_cast<ssize_t>(wire.size()));
    }
    std::string path;
    FrameDecoder decoder{1 << 20};

  private:
    std::string dir_;
    int listen_fd_ = -1;
    int peer_ = -1;
};

TEST(BrokerLink, ConnectFailsQuietlyWithoutBroker) {
    BrokerLink link("/tmp/tandem-no-such-broker.sock");
    EXPECT_FALSE(link.connect());
    EXPECT_FALSE(link.connected());
    link.send_output("ignored");  // harmless while disconnected
    EXPECT_TRUE(link.reconnect_due(std::chrono::steady_clock::now() + std::chrono::seconds(5),
                                   std::chrono::seconds(2)));
}

TEST(BrokerLink, FramesBothWays) {
    FakeBroker broker;
    BrokerLink link(broker.path);
    ASSERT_TRUE(link.connect());
    broker.accept();
    link.send(FrameType::hello, R"({"v":1})");
    link.send_output("hello output");
    broker.drain(200);
    auto hello = broker.decoder.next();
    ASSERT_TRUE(hello);
    EXPECT_EQ(hello->type, FrameType::hello);
    auto out = broker.decoder.next();
    ASSERT_TRUE(out);
    EXPECT_EQ(out->payload, "hello output");
    broker.send(FrameType::reply, R"({"ok":true})");
    pollfd p{link.fd(), POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 2000), 1);
    EXPECT_TRUE(link.on_readable());
    auto reply = link.next_frame();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->type, FrameType::reply);
}

TEST(BrokerLink, NeverWaitsForABrokerThatDoesNotReadAndMarksTheGap) {
    FakeBroker broker;
    BrokerLink link(broker.path);
    ASSERT_TRUE(link.connect());
    broker.accept();
    const std::string chunk(64 * 1024, 'o');
    const int chunks = 200;  // 12.8 MB: far past socket buffers and the link's bound
    for (int i = 0; i < chunks; ++i) link.send_output(chunk);  // must not block
    EXPECT_GT(link.dropped_output_bytes(), 0u);
    // The broker catches up; a gap frame carries the newest output, and later output follows.
    std::size_t outputs_after_gap = 0;
    std::string replay;
    bool gap_seen = false;
    for (int round = 0; round < 200 && outputs_after_gap == 0; ++round) {
        broker.drain(20);
        link.on_writable();
        if (link.gap_pending()) link.send_output("dropped while the gap is pending");
        if (link.gap_pending() && link.has_room()) {
            link.resume_with("the newest output");
            link.send_output("after");
        }
        while (auto f = broker.decoder.next()) {
            if (f->type == FrameType::gap) {
                gap_seen = true;
                replay = f->payload;
            }
            if (gap_seen && f->type == FrameType::output && f->payload == "after")
                ++outputs_after_gap;
            EXPECT_NE(f->payload, "dropped while the gap is pending");
        }
    }
    EXPECT_TRUE(gap_seen);
    EXPECT_EQ(replay, "the newest output");
    EXPECT_GT(outputs_after_gap, 0u);
}

}  // namespace
}  // namespace tandem
