// Invite verification: any text offered as an invite token (URL, SSH join line, WebSocket
// join). Inputs starting with '!' instead build claims, sign them and verify the result: a
// token the codec made must verify to the same claims while valid, and be refused once expired.
// The key is a fixed test key, made for this target only.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "tandem/invite_codec.hpp"

namespace {

constexpr const char* kPrivate = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg4y6WJgLOygUCKMO4
BWyxOjaVLD2bKbI2qPNu/jaC1xOhRANCAATNKMFxWEDftMfiAgoWJ7U8rnfEQWCc
TeiiqzV4dP/jc4BxMm52ldXC5BjJYlHyxjVXdYXXuuq//zjrYBQtYVvo
-----END PRIVATE KEY-----
)";
constexpr const char* kPublic = R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEzSjBcVhA37TH4gIKFie1PK53xEFg
nE3ooqs1eHT/43OAcTJudpXVwuQYyWJR8sY1V3WF17rqv/8462AULWFb6A==
-----END PUBLIC KEY-----
)";
constexpr std::int64_t kNow = 1'800'000'000;

const tandem::InviteCodec& codec() {
    static const tandem::InviteCodec c(kPrivate, kPublic, "fuzz-issuer",
                                       std::string(tandem::InviteCodec::audience_invite));
    return c;
}

// Share ids and jtis are the server's own printable ids; keep the fuzzer's to that alphabet.
std::string printable(std::string_view text) {
    std::string out;
    for (unsigned char c : text.substr(0, 128)) out += static_cast<char>(0x21 + c % 94);
    return out.empty() ? "x" : out;
}

void round_trip(std::string_view input) {
    const auto split = input.find('|');
    tandem::InviteClaims claims;
    claims.share_id = printable(input.substr(0, split));
    claims.jti = printable(split == std::string_view::npos ? "j" : input.substr(split + 1));
    claims.issued_at = kNow - static_cast<std::int64_t>(input.size());
    claims.expires_at = kNow + 1 + static_cast<std::int64_t>(claims.share_id.size());
    const auto token = codec().encode(claims);
    if (!tandem::looks_like_token(token)) std::abort();
    const auto decoded = codec().decode(token, kNow);
    const auto* ok = std::get_if<tandem::InviteClaims>(&decoded);
    if (!ok || ok->share_id != claims.share_id || ok->jti != claims.jti ||
        ok->issued_at != claims.issued_at || ok->expires_at != claims.expires_at)
        std::abort();
    const auto late = codec().decode(token, claims.expires_at);
    if (!std::holds_alternative<tandem::InviteRejection>(late)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    if (!input.empty() && input.front() == '!') {
        round_trip(input.substr(1));
        return 0;
    }
    (void)tandem::looks_like_token(input);
    const auto result = codec().decode(input, kNow);
    // Nothing but a token signed with the key can verify; the fuzzer cannot forge ES256.
    if (std::holds_alternative<tandem::InviteClaims>(result)) std::abort();
    return 0;
}
