#include "tandem/frame_codec.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace tandem {
namespace {

constexpr std::size_t kMax = 1024;

TEST(FrameCodec, RoundTripsFramesFedByteByByte) {
    std::string wire;
    encode_frame(wire, FrameType::hello, R"({"version":1})", kMax);
    encode_frame(wire, FrameType::output, std::string("\x1b[31mred\0bin", 11), kMax);
    encode_frame(wire, FrameType::ping, "", kMax);
    FrameDecoder decoder(kMax);
    std::vector<Frame> frames;
    for (char c : wire) {
        decoder.feed(std::string_view(&c, 1));
        while (auto f = decoder.next()) frames.push_back(*f);
    }
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(frames[0].type, FrameType::hello);
    EXPECT_EQ(frames[0].payload, R"({"version":1})");
    EXPECT_EQ(frames[1].type, FrameType::output);
    EXPECT_EQ(frames[1].payload, std::string("\x1b[31mred\0bin", 11));
    EXPECT_EQ(frames[2].type, FrameType::ping);
    EXPECT_EQ(frames[2].payload, "");
    EXPECT_EQ(decoder.pending_bytes(), 0u);
    EXPECT_EQ(decoder.error(), FrameDecoder::Error::none);
}

TEST(FrameCodec, HeaderIsBigEndianLengthOfTypeAndPayloadThenType) {
    const auto header = encode_frame_header(FrameType::snapshot, 0x01020304);
    EXPECT_EQ(std::string(header.data(), header.size()), std::string("\x01\x02\x03\x05\x08", 5));
    // A header written alone (the broker's queue) frames the payload exactly as encode_frame.
    std::string wire;
    encode_frame(wire, FrameType::output, "hello", kMax);
    const auto alone = encode_frame_header(FrameType::output, 5);
    EXPECT_EQ(std::string(alone.data(), alone.size()) + "hello", wire);
}

TEST(FrameCodec, TruncatedFrameWaitsAndShowsAsPending) {
    std::string wire;
    encode_frame(wire, FrameType::output, "hello world", kMax);
    FrameDecoder decoder(kMax);
    decoder.feed(std::string_view(wire).substr(0, wire.size() - 3));
    EXPECT_FALSE(decoder.next());
    EXPECT_EQ(decoder.error(), FrameDecoder::Error::none);
    EXPECT_EQ(decoder.pending_bytes(), wire.size() - 3);  // at EOF: a truncated frame
    EXPECT_FALSE(decoder.has_complete_frame());
    decoder.feed(std::string_view(wire).substr(wire.size() - 3));
    EXPECT_TRUE(decoder.has_complete_frame());
    auto frame = decoder.next();
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->payload, "hello world");
}

TEST(FrameCodec, OversizedFrameIsRefusedFromItsHeaderAlone) {
    FrameDecoder decoder(kMax);
    const std::uint32_t length = kMax + 2;  // type byte + kMax + 1
    const char header[5] = {0, 0, static_cast<char>(length >> 8), static_cast<char>(length), 2};
    decoder.feed(std::string_view(header, 5));  // no body needed to refuse it
    EXPECT_FALSE(decoder.next());
    EXPECT_EQ(decoder.error(), FrameDecoder::Error::oversized);
    std::string ok;
    encode_frame(ok, FrameType::ping, "", kMax);
    decoder.feed(ok);
    EXPECT_FALSE(decoder.next());  // a failed decoder stays failed
}

TEST(FrameCodec, MaximumPayloadIsAccepted) {
    std::string wire;
    encode_frame(wire, FrameType::output, std::string(kMax, 'x'), kMax);
    FrameDecoder decoder(kMax);
    decoder.feed(wire);
    auto frame = decoder.next();
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->payload.size(), kMax);
    std::string too_big;
    EXPECT_THROW(encode_frame(too_big, FrameType::output, std::string(kMax + 1, 'x'), kMax),
                 std::length_error);
}

TEST(FrameCodec, UnknownAndEmptyFramesAreErrors) {
    for (unsigned char type : {0, 12, 200}) {
        FrameDecoder decoder(kMax);
        const char frame[6] = {0, 0, 0, 2, static_cast<char>(type), 'x'};
        decoder.feed(std::string_view(frame, 6));
        EXPECT_FALSE(decoder.next());
        EXPECT_EQ(decoder.error(), FrameDecoder::Error::unknown_type) << int(type);
    }
    FrameDecoder decoder(kMax);
    decoder.feed(std::string_view("\0\0\0\0", 4));
    decoder.feed(std::string_view("\x01", 1));
    EXPECT_FALSE(decoder.next());
    EXPECT_EQ(decoder.error(), FrameDecoder::Error::empty_frame);
}

TEST(FrameCodec, BufferStaysBoundedOverManyFrames) {
    FrameDecoder decoder(kMax);
    std::string wire;
    for (int i = 0; i < 1000; ++i)
        encode_frame(wire, FrameType::output, std::string(1000, 'a'), kMax);
    std::size_t count = 0;
    for (std::size_t off = 0; off < wire.size(); off += 4096) {
        decoder.feed(std::string_view(wire).substr(off, 4096));
        while (decoder.next()) ++count;
        EXPECT_LT(decoder.pending_bytes(), 4096u + 1005u);
    }
    EXPECT_EQ(count, 1000u);
}

}  // namespace
}  // namespace tandem
