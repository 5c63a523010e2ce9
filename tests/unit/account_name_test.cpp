#include "tandem/account_name.hpp"

#include <gtest/gtest.h>

namespace tandem {
namespace {

TEST(AccountName, ParsesLoginAtHostAndPrintsItBack) {
    const auto name = AccountName::parse("  root@web01 ");
    ASSERT_TRUE(name);
    EXPECT_EQ(name->login, "root");
    EXPECT_EQ(name->host, "web01");
    EXPECT_EQ(name->text(), "root@web01");
    const auto mixed = AccountName::parse("Admin.1@web01.example");
    ASSERT_TRUE(mixed);
    EXPECT_EQ(mixed->login, "Admin.1");
    EXPECT_EQ(mixed->host, "web01.example");
    EXPECT_EQ(mixed->text(), "Admin.1@web01.example");
    EXPECT_TRUE(AccountName::parse("deploy-user@db.prod-2.example"));
    EXPECT_TRUE(AccountName::parse("_svc@h"));
}

TEST(AccountName, RejectsWhatIsNotAnAccountName) {
    for (const char* text :
         {"", "root", "@web01", "root@", "root@@web01", "a@b@c", "root@web01@x", "ro ot@web01",
          "root@web 01", "root@web01 ls", "root;id@web01", "root@web01/x", "röot@web01",
          "root@$(id)", "root@-web", "root@.web", "root@web_01", "-r@web01", ".r@web01"}) {
        EXPECT_FALSE(AccountName::parse(text)) << text;
    }
}

TEST(AccountName, BoundsLoginAndHostLength) {
    EXPECT_TRUE(AccountName::parse(std::string(32, 'a') + "@web01"));
    EXPECT_FALSE(AccountName::parse(std::string(33, 'a') + "@web01"));
    EXPECT_TRUE(AccountName::parse("root@" + std::string(63, 'h')));
    EXPECT_FALSE(AccountName::parse("root@" + std::string(64, 'h')));
}

TEST(AccountName, HostNameAndLoginRulesStandAlone) {
    EXPECT_TRUE(is_valid_host_name("web01.example-2"));
    EXPECT_FALSE(is_valid_host_name("-web"));
    EXPECT_FALSE(is_valid_host_name("web_01"));
    EXPECT_TRUE(is_valid_login("_apt"));
    EXPECT_FALSE(is_valid_login("a@b"));
}

}  // namespace
}  // namespace tandem
