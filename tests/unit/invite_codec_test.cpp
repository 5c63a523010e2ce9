#include "tandem/invite_codec.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <jwt/jwt.hpp>
#include <memory>
#include <string>

#include "tandem/base64url.hpp"

namespace tandem {
namespace {

struct KeyPair {
    std::string private_pem;
    std::string public_pem;
};

KeyPair make_p256() {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    EXPECT_TRUE(key);
    auto to_string = [](auto write) {
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
        write(bio.get());
        char* data = nullptr;
        long len = BIO_get_mem_data(bio.get(), &data);
        return std::string(data, static_cast<size_t>(len));
    };
    KeyPair pair;
    pair.private_pem = to_string([&](BIO* b) {
        PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
    pair.public_pem = to_string([&](BIO* b) { PEM_write_bio_PUBKEY(b, key.get()); });
    return pair;
}

constexpr std::int64_t kNow = 1'900'000'000;  // far enough ahead that real time is before it

class InviteCodecTest : public ::testing::Test {
  protected:
    KeyPair keys = make_p256();
    InviteCodec codec{keys.private_pem, keys.public_pem, "https://bastion.test:8443",
                      std::string(InviteCodec::audience_invite)};

    InviteClaims claims(std::int64_t iat = kNow - 10, std::int64_t exp = kNow + 600) {
        return InviteClaims{"share-123", "jti-abc", iat, exp};
    }
    static std::string part(const std::string& token, int index) {
        auto a = token.find('.');
        auto b = token.find('.', a + 1);
        if (index == 0) return token.substr(0, a);
        if (index == 1) return token.substr(a + 1, b - a - 1);
        return token.substr(b + 1);
    }
    InviteRejection rejection(const std::string& token, std::int64_t now = kNow) {
        auto result = codec.decode(token, now);
        EXPECT_TRUE(std::holds_alternative<InviteRejection>(result)) << "token accepted: " << token;
        return std::holds_alternative<InviteRejection>(result) ? std::get<InviteRejection>(result)
                                                               : InviteRejection::malformed;
    }
    // Signs an arbitrary payload with the real key, bypassing InviteCodec's claim set.
    std::string sign_raw(const nlohmann::json& payload) {
        jwt::jwt_object obj{jwt::params::algorithm("ES256"), jwt::params::secret(keys.private_pem)};
        for (auto& [k, v] : payload.items()) obj.add_claim(k, v);
        return obj.signature();
    }
};

TEST_F(InviteCodecTest, RoundTripsValidInvite) {
    auto token = codec.encode(claims());
    EXPECT_TRUE(looks_like_token(token));
    auto result = codec.decode(token, kNow);
    ASSERT_TRUE(std::holds_alternative<InviteClaims>(result))
        << to_string(std::get<InviteRejection>(result));
    auto decoded = std::get<InviteClaims>(result);
    EXPECT_EQ(decoded.share_id, "share-123");
    EXPECT_EQ(decoded.jti, "jti-abc");
    EXPECT_EQ(decoded.issued_at, kNow - 10);
    EXPECT_EQ(decoded.expires_at, kNow + 600);
}

TEST_F(InviteCodecTest, RejectsExpiredAtAndAfterExp) {
    auto token = codec.encode(claims());
    EXPECT_EQ(rejection(token, kNow + 600), InviteRejection::expired);
    EXPECT_EQ(rejection(token, kNow + 601), InviteRejection::expired);
    // Expired by the real clock too: cpp-jwt's own exp check agrees.
    auto old = codec.encode(claims(1000, 2000));
    EXPECT_EQ(rejection(old), InviteRejection::expired);
}

TEST_F(InviteCodecTest, RejectsNotYetValid) {
    auto token = codec.encode(claims(kNow + 3600, kNow + 7200));
    EXPECT_EQ(rejection(token, kNow), InviteRejection::not_yet_valid);
    // Within the clock-skew allowance it is fine.
    auto skewed = codec.encode(claims(kNow + 5, kNow + 600));
    EXPECT_TRUE(std::holds_alternative<InviteClaims>(codec.decode(skewed, kNow)));
}

TEST_F(InviteCodecTest, RejectsWrongIssuerAndAudience) {
    auto token = codec.encode(claims());
    InviteCodec other_issuer(keys.private_pem, keys.public_pem, "https://elsewhere:8443",
                             std::string(InviteCodec::audience_invite));
    auto r1 = other_issuer.decode(token, kNow);
    ASSERT_TRUE(std::holds_alternative<InviteRejection>(r1));
    EXPECT_EQ(std::get<InviteRejection>(r1), InviteRejection::wrong_issuer);
    InviteCodec other_audience(keys.private_pem, keys.public_pem, "https://bastion.test:8443",
                               "tandem-web-login");
    auto r2 = other_audience.decode(token, kNow);
    ASSERT_TRUE(std::holds_alternative<InviteRejection>(r2));
    EXPECT_EQ(std::get<InviteRejection>(r2), InviteRejection::wrong_audience);
}

TEST_F(InviteCodecTest, RejectsTamperedPayload) {
    auto token = codec.encode(claims());
    auto payload = nlohmann::json::parse(*base64url_decode(part(token, 1)));
    payload["shr"] = "share-999";
    auto forged = part(token, 0) + "." + base64url_encode(payload.dump()) + "." + part(token, 2);
    EXPECT_EQ(rejection(forged), InviteRejection::bad_signature);
}

TEST_F(InviteCodecTest, RejectsTamperedSignature) {
    auto token = codec.encode(claims());
    auto sig = *base64url_decode(part(token, 2));
    sig[10] = static_cast<char>(sig[10] ^ 0x01);
    auto forged = part(token, 0) + "." + part(token, 1) + "." + base64url_encode(sig);
    EXPECT_EQ(rejection(forged), InviteRejection::bad_signature);
}

TEST_F(InviteCodecTest, RejectsSignatureFromAnotherKey) {
    auto other = make_p256();
    InviteCodec foreign(other.private_pem, other.public_pem, "https://bastion.test:8443",
                        std::string(InviteCodec::audience_invite));
    EXPECT_EQ(rejection(foreign.encode(claims())), InviteRejection::bad_signature);
}

TEST_F(InviteCodecTest, RejectsAlgNone) {
    auto token = codec.encode(claims());
    auto header = base64url_encode(R"({"alg":"none","typ":"JWT"})");
    // Unsigned, and with a signature borrowed from a real token: the header decides first.
    EXPECT_EQ(rejection(header + "." + part(token, 1) + "."), InviteRejection::bad_algorithm);
    EXPECT_EQ(rejection(header + "." + part(token, 1) + "." + part(token, 2)),
              InviteRejection::bad_algorithm);
}

TEST_F(InviteCodecTest, RejectsHs256SignedWithThePublicKey) {
    // The classic algorithm-confusion forgery: HMAC keyed with the verifier's public PEM.
    auto header = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
    auto payload = part(codec.encode(claims()), 1);
    std::string signing_input = header + "." + payload;
    unsigned char mac[32];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), keys.public_pem.data(), static_cast<int>(keys.public_pem.size()),
         reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
         &mac_len);
    auto forged =
        signing_input + "." + base64url_encode(std::string(reinterpret_cast<char*>(mac), mac_len));
    EXPECT_EQ(rejection(forged), InviteRejection::bad_algorithm);
}

TEST_F(InviteCodecTest, RejectsExtraHeaderFields) {
    auto token = codec.encode(claims());
    auto header = base64url_encode(R"({"alg":"ES256","typ":"JWT","kid":"../../etc/passwd"})");
    EXPECT_EQ(rejection(header + "." + part(token, 1) + "." + part(token, 2)),
              InviteRejection::bad_algorithm);
}

TEST_F(InviteCodecTest, RejectsMalformedBase64) {
    auto token = codec.encode(claims());
    EXPECT_EQ(rejection(part(token, 0) + "=." + part(token, 1) + "." + part(token, 2)),
              InviteRejection::malformed);
    EXPECT_EQ(rejection(part(token, 0) + "." + part(token, 1) + "+." + part(token, 2)),
              InviteRejection::malformed);
    EXPECT_EQ(rejection("abc.def"), InviteRejection::malformed);
    EXPECT_EQ(rejection("a.b.c.d"), InviteRejection::malformed);
    EXPECT_EQ(rejection(""), InviteRejection::malformed);
    EXPECT_EQ(rejection("..."), InviteRejection::malformed);
    // Non-canonical encoding of the same bytes (low bits set in the last character).
    auto sig = part(token, 2);
    ASSERT_EQ(sig.size() % 4, 2u);  // 64 bytes -> 86 chars: 4 unused bits at the end
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string noncanonical = sig;
    noncanonical.back() = alphabet[alphabet.find(sig.back()) | 1];  // set an unused low bit
    EXPECT_EQ(rejection(part(token, 0) + "." + part(token, 1) + "." + noncanonical),
              InviteRejection::malformed);
}

TEST_F(InviteCodecTest, RejectsOversizedToken) {
    EXPECT_EQ(rejection(std::string(InviteCodec::max_token_length + 1, 'a')),
              InviteRejection::oversized);
    nlohmann::json payload = {{"iss", "https://bastion.test:8443"},
                              {"aud", "tandem-invite"},
                              {"iat", kNow},
                              {"exp", kNow + 60},
                              {"jti", "j"},
                              {"shr", std::string(3000, 's')}};
    EXPECT_EQ(rejection(sign_raw(payload)), InviteRejection::oversized);
}

TEST_F(InviteCodecTest, RequiresEveryClaim) {
    nlohmann::json full = {{"iss", "https://bastion.test:8443"},
                           {"aud", "tandem-invite"},
                           {"iat", kNow - 1},
                           {"exp", kNow + 60},
                           {"jti", "j"},
                           {"shr", "s"}};
    ASSERT_TRUE(std::holds_alternative<InviteClaims>(codec.decode(sign_raw(full), kNow)));
    for (const char* claim : {"iss", "aud", "iat", "exp", "jti", "shr"}) {
        auto partial = full;
        partial.erase(claim);
        EXPECT_EQ(rejection(sign_raw(partial)), InviteRejection::missing_claim) << claim;
    }
    auto wrong_type = full;
    wrong_type["shr"] = 42;
    EXPECT_EQ(rejection(sign_raw(wrong_type)), InviteRejection::missing_claim);
}

TEST_F(InviteCodecTest, RejectsNonP256Keys) {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> p384(EVP_EC_gen("P-384"), EVP_PKEY_free);
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_PUBKEY(bio.get(), p384.get());
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    std::string pem(data, static_cast<size_t>(len));
    EXPECT_THROW(InviteCodec("", pem, "iss", "aud"), std::runtime_error);
    EXPECT_THROW(InviteCodec("", "not a key", "iss", "aud"), std::runtime_error);
}

TEST(Base64Url, RoundTripsAndRejectsNonCanonical) {
    const std::string samples[] = {"",     "f",     "fo",     "foo",
                                   "foob", "fooba", "foobar", std::string("\0\xff\xfe", 3)};
    for (const auto& s : samples) {
        auto enc = base64url_encode(s);
        EXPECT_EQ(enc.find('='), std::string::npos);
        auto dec = base64url_decode(enc);
        ASSERT_TRUE(dec.has_value()) << enc;
        EXPECT_EQ(*dec, s);
    }
    EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
    EXPECT_FALSE(base64url_decode("Zm9=").has_value());
    EXPECT_FALSE(base64url_decode("Zh").has_value());  // "Zg" is the canonical form of "f"
    EXPECT_FALSE(base64url_decode("Z").has_value());
    EXPECT_EQ(random_base64url(16).size(), 22u);
    EXPECT_NE(random_base64url(16), random_base64url(16));
}

}  // namespace
}  // namespace tandem
