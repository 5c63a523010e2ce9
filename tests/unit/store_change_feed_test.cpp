// StoreChangeFeed: a change to who may do what, written by one process's Store, reaches another
// process's feed (PostgreSQL LISTEN/NOTIFY) without polling; other writes do not wake it; on
// SQLite there is no feed.
#include <gtest/gtest.h>
#include <poll.h>

#include "support/postgres_server.hpp"
#include "tandem/store.hpp"
#include "tandem/store_change_feed.hpp"

namespace tandem {
namespace {

// Changes the feed reports within `ms` (polling its descriptor as the broker's loop does).
int changes_within(StoreChangeFeed& feed, int ms) {
    int changes = feed.take();
    pollfd p{feed.descriptor(), POLLIN, 0};
    while (changes == 0 && ::poll(&p, 1, ms) > 0) changes += feed.take();
    return changes;
}

TEST(StoreChangeFeed, ARevocationOrADisabledUserReachesAnotherConnectionAndOtherWritesDoNot) {
    const auto url = test_support::PostgresServer::shared().create_database();
    Store writer = Store::open(url);
    auto feed = StoreChangeFeed::open(url);
    ASSERT_NE(feed, nullptr);

    const Id bob = writer.add_user("bob", false, "");
    Host web01;
    web01.name = "web01";
    web01.address = "127.0.0.1";
    const Id account =
        writer.put_account(writer.add_host(web01), "root", CredentialKind::password, "x");
    writer.grant(bob, account);
    // The control: adding a user, a host, an account or a grant takes nothing away.
    EXPECT_EQ(changes_within(*feed, 300), 0);

    writer.revoke(bob, account);
    EXPECT_GE(changes_within(*feed, 5000), 1);
    writer.set_user_disabled("bob", true);
    EXPECT_GE(changes_within(*feed, 5000), 1);
    writer.delete_user("bob");
    EXPECT_GE(changes_within(*feed, 5000), 1);
    EXPECT_EQ(changes_within(*feed, 300), 0);  // each change once
}

TEST(StoreChangeFeed, ThereIsNoneOnSqlite) {
    EXPECT_EQ(StoreChangeFeed::open("sqlite:/nonexistent/tandem.db"), nullptr);
    EXPECT_EQ(StoreChangeFeed::open("/nonexistent/tandem.db"), nullptr);
}

}  // namespace
}  // namespace tandem
