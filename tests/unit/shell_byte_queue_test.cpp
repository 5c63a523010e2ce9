#include "byte_queue.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <csignal>

#include <gtest/gtest.h>

namespace tandem {
namespace {

TEST(ShellByteQueue, KeepsOrderAcrossPartialConsumes) {
    ByteQueue queue(10);
    queue.append("hello ");
    queue.append("world");
    EXPECT_TRUE(queue.full());
    queue.consume(3);
    EXPECT_EQ(queue.front(), "lo world");
    EXPECT_FALSE(queue.full());
    queue.consume(100);
    EXPECT_TRUE(queue.empty());
}

TEST(ShellByteQueue, CompactsWithoutLosingBytes) {
    ByteQueue queue(1 << 20);
    std::string expected;
    std::string got;
    for (int i = 0; i < 2000; ++i) {
        const std::string chunk(100 + i % 37, static_cast<char>('a' + i % 26));
        queue.append(chunk);
        expected += chunk;
        const auto take = std::min<std::size_t>(queue.size(), 90);
        got.append(queue.front().substr(0, take));
        queue.consume(take);
    }
    got.append(queue.front());
    EXPECT_EQ(got, expected);
}

TEST(ShellByteQueue, WritesWhatANonblockingPipeTakesAndKeepsTheRest) {
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_NONBLOCK), 0);
    const int capacity = ::fcntl(fds[1], F_GETPIPE_SZ);
    ByteQueue queue(1 << 24);
    std::string data(static_cast<std::size_t>(capacity) * 3, 'x');
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
    queue.append(data);
    ASSERT_TRUE(queue.write_to(fds[1]));
    EXPECT_EQ(queue.size(), data.size() - static_cast<std::size_t>(capacity));
    std::string received(data.size(), '\0');
    std::size_t got = 0;
    while (got < data.size()) {
        const ssize_t n = ::read(fds[0], received.data() + got, data.size() - got);
        if (n > 0) got += static_cast<std::size_t>(n);
        ASSERT_TRUE(queue.write_to(fds[1]));
    }
    EXPECT_TRUE(queue.empty());
    EXPECT_EQ(received, data);
    ::close(fds[0]);
    // The reader is gone: an error, not a hang (tandem-shell ignores SIGPIPE; so do we here).
    const auto previous = ::signal(SIGPIPE, SIG_IGN);
    queue.append("more");
    EXPECT_FALSE(queue.write_to(fds[1]));
    ::signal(SIGPIPE, previous);
    ::close(fds[1]);
}

}  // namespace
}  // namespace tandem
