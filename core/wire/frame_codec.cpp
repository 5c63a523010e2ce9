#include "tandem/frame_codec.hpp"

#include <limits>
#include <stdexcept>

namespace tandem {

namespace {

// The u32 big-endian length at the front of a header (p holds at least 4 bytes).
std::uint32_t read_length(const unsigned char* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

}  // namespace

bool is_known_frame_type(std::uint8_t type) {
    return type >= static_cast<std::uint8_t>(FrameType::hello) &&
           type <= static_cast<std::uint8_t>(FrameType::gap);
}

std::array<char, kFrameHeaderBytes> encode_frame_header(FrameType type, std::size_t payload_size) {
    if (payload_size >= std::numeric_limits<std::uint32_t>::max())
        throw std::length_error("frame payload too large");
    const auto length = static_cast<std::uint32_t>(payload_size + 1);
    return {static_cast<char>(length >> 24), static_cast<char>(length >> 16),
            static_cast<char>(length >> 8), static_cast<char>(length), static_cast<char>(type)};
}

void encode_frame(std::string& out, FrameType type, std::string_view payload,
                  std::size_t max_payload) {
    if (payload.size() > max_payload) throw std::length_error("frame payload too large");
    const auto header = encode_frame_header(type, payload.size());
    out.append(header.data(), header.size());
    out.append(payload.data(), payload.size());
}

std::string FrameDecoder::take_pending() {
    std::string rest = buffer_.substr(consumed_);
    buffer_.clear();
    consumed_ = 0;
    return rest;
}

std::optional<Frame> FrameDecoder::next() {
    if (error_ != Error::none) return std::nullopt;
    const std::size_t available = buffer_.size() - consumed_;
    if (available < kFrameHeaderBytes) {
        if (consumed_ > 0 && consumed_ == buffer_.size()) {
            buffer_.clear();
            consumed_ = 0;
        }
        return std::nullopt;
    }
    const auto* p = reinterpret_cast<const unsigned char*>(buffer_.data() + consumed_);
    const std::uint32_t length = read_length(p);
    // Checked on the header alone, before waiting for (or buffering) the body.
    if (length == 0) {
        error_ = Error::empty_frame;
        return std::nullopt;
    }
    if (length - 1 > max_payload_) {
        error_ = Error::oversized;
        return std::nullopt;
    }
    if (!is_known_frame_type(p[4])) {
        error_ = Error::unknown_type;
        return std::nullopt;
    }
    if (available < 4 + std::size_t{length}) return std::nullopt;
    Frame frame{static_cast<FrameType>(p[4]),
                buffer_.substr(consumed_ + kFrameHeaderBytes, length - 1)};
    consumed_ += 4 + std::size_t{length};
    // Compact once the consumed prefix dominates, so the buffer stays bounded by one frame.
    if (consumed_ == buffer_.size()) {
        buffer_.clear();
        consumed_ = 0;
    } else if (consumed_ > 65536 && consumed_ * 2 > buffer_.size()) {
        buffer_.erase(0, consumed_);
        consumed_ = 0;
    }
    return frame;
}

bool FrameDecoder::has_complete_frame() const {
    if (error_ != Error::none) return false;
    const std::size_t available = buffer_.size() - consumed_;
    if (available < kFrameHeaderBytes) return false;
    const auto* p = reinterpret_cast<const unsigned char*>(buffer_.data() + consumed_);
    const std::uint32_t length = read_length(p);
    return length == 0 || length - 1 > max_payload_ || !is_known_frame_type(p[4]) ||
           available >= 4 + std::size_t{length};
}

const char* to_string(FrameDecoder::Error error) {
    switch (error) {
        case FrameDecoder::Error::none:
            return "none";
        case FrameDecoder::Error::oversized:
            return "oversized frame";
        case FrameDecoder::Error::unknown_type:
            return "unknown frame type";
        case FrameDecoder::Error::empty_frame:
            return "empty frame";
    }
    return "unknown";
}

}  // namespace tandem
