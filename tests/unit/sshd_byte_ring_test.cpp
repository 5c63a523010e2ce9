// tandem-sshd: the relay's bounded byte queue.
#include <gtest/gtest.h>

#include <string>

#include "../../sshd-plugin/sshd/byte_ring.hpp"

namespace tandem::sshd {
namespace {

std::string drain(ByteRing& ring) {
    std::string out;
    while (!ring.empty()) {
        const auto run = ring.readable();
        out.append(run.data(), run.size());
        ring.consume(run.size());
    }
    return out;
}

TEST(SshdByteRing, KeepsOrderAcrossTheWrap) {
    ByteRing ring(8);
    EXPECT_EQ(ring.push(std::string_view("abcdef")), 6u);
    ring.consume(4);                                      // "ef" left at offset 4
    EXPECT_EQ(ring.push(std::string_view("ghijk")), 5u);  // wraps
    EXPECT_EQ(ring.size(), 7u);
    EXPECT_EQ(drain(ring), "efghijk");
}

TEST(SshdByteRing, RefusesWhatDoesNotFit) {
    ByteRing ring(4);
    EXPECT_EQ(ring.push(std::string_view("abcdef")), 4u);
    EXPECT_TRUE(ring.full());
    EXPECT_EQ(ring.room(), 0u);
    EXPECT_EQ(ring.writable().size(), 0u);
    EXPECT_EQ(ring.push(std::string_view("x")), 0u);
    EXPECT_EQ(drain(ring), "abcd");
}

TEST(SshdByteRing, WritableRunsFillTheWholeCapacity) {
    ByteRing ring(10);
    ring.push(std::string_view("0123456"));
    ring.consume(5);  // head at 5, "56" queued
    std::size_t filled = 0;
    char next = 'a';
    while (ring.room() > 0) {
        auto run = ring.writable();
        ASSERT_GT(run.size(), 0u);
        for (auto& c : run) c = next++;
        ring.commit(run.size());
        filled += run.size();
    }
    EXPECT_EQ(filled, 8u);
    EXPECT_EQ(drain(ring), "56abcdefgh");
}

TEST(SshdByteRing, EmptyingResetsToTheStart) {
    ByteRing ring(6);
    ring.push(std::string_view("abcd"));
    ring.consume(4);
    EXPECT_TRUE(ring.empty());
    EXPECT_EQ(ring.writable().size(), 6u);  // one contiguous run again
}

}  // namespace
}  // namespace tandem::sshd
