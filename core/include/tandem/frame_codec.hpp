// The broker wire protocol's framing (hook <-> broker over the Unix socket, and later the
// viewer side): [u32 big-endian length of type+payload][u8 type][payload]. Every frame is
// bounded; a decoder that meets an oversized or unknown frame reports it and stops, so a
// misbehaving peer is cut off instead of being allowed to make the other side buffer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tandem {

inline constexpr std::uint8_t kWireProtocolVersion = 1;

enum class FrameType : std::uint8_t {
    hello = 1,     // JSON: protocol version, role and session description
    output = 2,    // raw terminal output from the host
    input = 3,     // raw keystrokes (broker -> hook: already checked against the controller)
    resize = 4,    // JSON: cols, rows
    command = 5,   // JSON: share/unshare/who/agree/refuse/take/control/release/exit request
    reply = 6,     // JSON: answer to a command
    notice = 7,    // JSON: something participants should be told (joined, left, request, ...)
    snapshot = 8,  // raw bytes that repaint a viewer's terminal
    end = 9,       // JSON: the session or share ended, and why
    ping = 10,     // liveness; empty payload
    gap = 11,      // hook -> broker: output was dropped before this point (broker resyncs)
};

bool is_known_frame_type(std::uint8_t type);

struct Frame {
    FrameType type;
    std::string payload;
};

// The 5 bytes before every payload: [u32 big-endian payload_size + 1][u8 type]. The one place
// the header is written (encode_frame and the broker's zero-copy queue both use it). Throws
// std::length_error when payload_size + 1 does not fit in 32 bits.
inline constexpr std::size_t kFrameHeaderBytes = 5;
std::array<char, kFrameHeaderBytes> encode_frame_header(FrameType type, std::size_t payload_size);

// Appends one encoded frame to out. Throws std::length_error past max_payload.
void encode_frame(std::string& out, FrameType type, std::string_view payload,
                  std::size_t max_payload);

class FrameDecoder {
  public:
    enum class Error { none, oversized, unknown_type, empty_frame };

    explicit FrameDecoder(std::size_t max_payload) : max_payload_(max_payload) {}

    // Adds received bytes. Cheap; frames are extracted by next().
    void feed(std::string_view bytes) { buffer_.append(bytes.data(), bytes.size()); }
    // The next complete frame, or nullopt when more bytes are needed or an error occurred.
    std::optional<Frame> next();
    Error error() const { return error_; }
    // Bytes of an incomplete frame still held (non-zero at EOF means a truncated frame).
    std::size_t pending_bytes() const { return buffer_.size() - consumed_; }
    // Hands over the bytes not yet taken as frames (a connection relayed elsewhere after its
    // first frame) and forgets them.
    std::string take_pending();
    // A whole frame (or a header next() will refuse) is buffered: next() will not need bytes.
    bool has_complete_frame() const;

  private:
    std::size_t max_payload_;
    std::string buffer_;
    std::size_t consumed_ = 0;
    Error error_ = Error::none;
};

const char* to_string(FrameDecoder::Error error);

}  // namespace tandem
