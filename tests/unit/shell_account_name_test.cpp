#include "account_name.hpp"

#include <gtest/gtest.h>

namespace tandem {
namespace {

TEST(ShellAccountName, ParsesLoginAtHost) {
    const auto name = parse_account_name("  root@web01 ");
    ASSERT_TRUE(name);
    EXPECT_EQ(name->login, "root");
    EXPECT_EQ(name->host, "web01");
    EXPECT_EQ(name->text(), "root@web01");
    EXPECT_TRUE(parse_account_name("deploy-user@db.prod-2.example_x"));
}

TEST(ShellAccountName, RejectsWhatIsNotAnAccountName) {
    for (const char* text :
         {"", "root", "@web01", "root@", "root@@web01", "a@b@c", "ro ot@web01", "root@web 01",
          "root@web01 ls", "root;id@web01", "root@web01/x", "röot@web01", "root@$(id)"}) {
        EXPECT_FALSE(parse_account_name(text)) << text;
    }
    EXPECT_FALSE(parse_account_name(std::string(65, 'a') + "@web01"));
    EXPECT_FALSE(parse_account_name("root@" + std::string(254, 'h')));
}

}  // namespace
}  // namespace tandem
