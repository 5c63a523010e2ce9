#include "tandem/password_hash.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace tandem {
namespace {

TEST(PasswordHash, FormatAndRoundTrip) {
    const std::string hash = hash_password("correct horse battery staple");
    EXPECT_TRUE(std::regex_match(
        hash, std::regex(R"(^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$)")))
        << hash;
    EXPECT_TRUE(verify_password("correct horse battery staple", hash));
    EXPECT_FALSE(verify_password("correct horse battery stapl", hash));
    EXPECT_FALSE(verify_password("Correct horse battery staple", hash));
}

TEST(PasswordHash, SaltsDiffer) {
    const std::string a = hash_password("same");
    const std::string b = hash_password("same");
    EXPECT_NE(a, b);
    EXPECT_TRUE(verify_password("same", a));
    EXPECT_TRUE(verify_password("same", b));
}

TEST(PasswordHash, KnownVector) {
    // Independent implementation: Python's hashlib.scrypt(b"password", salt=b"NaClNaCl",
    // n=1024, r=8, p=1, dklen=32), base64 without padding.
    const std::string encoded =
        "$scrypt$ln=10,r=8,p=1$TmFDbE5hQ2w$8wGlwXmNXS2n1KDaxmhQaPHcojxLhIixEr3YNcqC+84";
    EXPECT_TRUE(verify_password("password", encoded));
    EXPECT_FALSE(verify_password("Password", encoded));
}

TEST(PasswordHash, BoundsAndMalformedHashes) {
    EXPECT_THROW(hash_password(""), PasswordError);
    EXPECT_THROW(hash_password(std::string(kMaxPasswordLength + 1, 'a')), PasswordError);
    EXPECT_NO_THROW(hash_password(std::string(kMaxPasswordLength, 'a')));
    const std::string good = hash_password("pw");
    EXPECT_FALSE(verify_password("", good));
    EXPECT_FALSE(verify_password(std::string(kMaxPasswordLength + 1, 'a'), good));
    for (const std::string& bad :
         {std::string(), std::string("pw"), std::string("$scrypt$"),
          std::string("$scrypt$ln=15,r=8,p=1$$"), std::string("$argon2id$v=19$m=1,t=1,p=1$a$b"),
          std::string("$scrypt$ln=30,r=8,p=1$TmFDbEFBQUFBQUFB$") + good.substr(good.rfind('$') + 1),
          std::string("$scrypt$ln=15,r=99,p=1$TmFDbEFBQUFBQUFB$") +
              good.substr(good.rfind('$') + 1),
          std::string("$scrypt$ln=15,r=8,p=1$!!!!$!!!!"), good.substr(0, good.size() - 10)})
        EXPECT_FALSE(verify_password("pw", bad)) << bad;
}

}  // namespace
}  // namespace tandem
