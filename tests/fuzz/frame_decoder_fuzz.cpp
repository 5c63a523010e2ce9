// Broker frame decoding: any bytes from a hook or viewer socket, split at arbitrary points.
// Checks what the decoder promises: every frame is within the bound and of a known type,
// an error stops decoding for good, and re-encoding the frames gives back the bytes consumed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tandem/frame_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    // The first byte picks the payload bound and the chunk size the bytes arrive in.
    const std::size_t max_payload = 1 + data[0] % 64 * 16;
    const std::size_t chunk = 1 + data[1] % 32;
    const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

    tandem::FrameDecoder decoder(max_payload);
    std::string reencoded;
    for (std::size_t at = 0; at < input.size(); at += chunk) {
        decoder.feed(input.substr(at, chunk));
        while (auto frame = decoder.next()) {
            if (frame->payload.size() > max_payload) std::abort();
            if (!tandem::is_known_frame_type(static_cast<std::uint8_t>(frame->type))) std::abort();
            tandem::encode_frame(reencoded, frame->type, frame->payload, max_payload);
        }
        if (decoder.error() != tandem::FrameDecoder::Error::none) break;
    }
    // Frames come out in order and byte for byte: the input starts with their encoding.
    if (input.substr(0, reencoded.size()) != reencoded) std::abort();
    if (decoder.error() == tandem::FrameDecoder::Error::none &&
        reencoded.size() + decoder.pending_bytes() != input.size())
        std::abort();
    return 0;
}
