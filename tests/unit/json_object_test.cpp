#include "tandem/json_object.hpp"

#include <gtest/gtest.h>

namespace tandem {
namespace {

TEST(JsonObject, AnObjectIsReturnedWithItsFields) {
    const auto j = parse_json_object(R"({"cmd":"who","id":7})");
    ASSERT_TRUE(j);
    EXPECT_EQ(j->value("cmd", ""), "who");
    EXPECT_EQ(j->value("id", 0), 7);
    const auto empty = parse_json_object("{}");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->empty());
}

TEST(JsonObject, AnythingButAnObjectIsNullopt) {
    for (const char* text :
         {"", "null", "[]", "[{}]", "\"{}\"", "42", "{", "{\"a\":}", "{} {}", "\xff\xfe"}) {
        EXPECT_FALSE(parse_json_object(text)) << text;
    }
}

}  // namespace
}  // namespace tandem
