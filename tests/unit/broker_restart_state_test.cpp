// What outlives a broker restart: a live session's share (its participants do not) and the web
// login sessions, keyed by a digest of the cookie (the cookie is never stored).
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>

#include "login_sessions.hpp"
#include "tandem/store.hpp"

namespace tandem::broker {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class BrokerRestartState : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/tandem-restart-state-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        path_ = dir_ + "/tandem.db";
    }
    void TearDown() override { fs::remove_all(dir_); }

    // A live session of alice's on root@web01, with `uuid`.
    static Id live_session(Store& s, const std::string& uuid) {
        auto alice = s.find_user("alice");
        const Id user = alice ? alice->id : s.add_user("alice", false, "");
        auto account = s.find_account("root", "web01");
        Id acct = 0;
        if (account) {
            acct = account->id;
        } else {
            Host h;
            h.name = "web01";
            h.address = "127.0.0.1";
            h.port = 22;
            acct = s.put_account(s.add_host(h), "root", CredentialKind::password, "P");
        }
        SessionRecord r;
        r.uuid = uuid;
        r.user_id = user;
        r.account_id = acct;
        r.started_at = 100;
        return s.begin_session(r);
    }

    // Whether `needle` appears anywhere in the store's web_logins table.
    bool web_logins_contain(const std::string& needle) const {
        sqlite3* db = nullptr;
        EXPECT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
        sqlite3_stmt* st = nullptr;
        sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM web_logins WHERE instr(id || user_name || "
                           "credential_tag, ?) > 0",
                           -1, &st, nullptr);
        sqlite3_bind_text(st, 1, needle.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_step(st);
        const bool found = sqlite3_column_int(st, 0) > 0;
        sqlite3_finalize(st);
        sqlite3_close(db);
        return found;
    }

    std::string dir_;
    std::string path_;
};

TEST_F(BrokerRestartState, ASharedSessionKeepsItsShareButNotItsParticipants) {
    Store s = Store::open(path_);
    live_session(s, "live-1");
    live_session(s, "live-2");  // not shared
    const Id over = live_session(s, "over-1");
    s.set_session_sharing("live-1", {true, "shr-1", "bob", {{"bob", "ssh", "10.0.0.7"}}});
    s.set_session_sharing("over-1", {true, "shr-over", "alice", {}});
    s.end_session(over, 0, "exit");

    EXPECT_TRUE(s.share_session_ended("shr-over")) << "a joiner hears T_705, not T_704";
    EXPECT_FALSE(s.share_session_ended("shr-1"));
    const auto shares = s.reset_live_shares("");
    ASSERT_EQ(shares.size(), 1u) << "only the live session's share resumes";
    EXPECT_EQ(shares[0].session_uuid, "live-1");
    EXPECT_EQ(shares[0].share_id, "shr-1");
    EXPECT_EQ(shares[0].creator, "alice");

    // What tandem-admin sessions --live shows until bob is back: shared, alice types, nobody in.
    for (const auto& row : s.list_live_sessions()) {
        if (row.session.uuid != "live-1") {
            EXPECT_FALSE(row.sharing.shared) << row.session.uuid;
            continue;
        }
        EXPECT_TRUE(row.sharing.shared);
        EXPECT_EQ(row.sharing.share_id, "shr-1");
        EXPECT_EQ(row.sharing.controller, "alice");
        EXPECT_TRUE(row.sharing.participants.empty());
    }
    // Unshared (the broker's unshare or an unclaimed share): the id goes with it.
    s.set_session_sharing("live-1", SessionSharing{});
    EXPECT_TRUE(s.reset_live_shares("").empty());
    EXPECT_EQ(s.list_live_sessions()[0].sharing.share_id, "");
}

TEST_F(BrokerRestartState, ALoginOutlivesTheBrokerAndLogoutOrExpiryEndsIt) {
    Store s = Store::open(path_);
    const auto now = LoginSessions::Clock::now();
    std::string cookie;
    std::string other;
    {
        LoginSessions first(600s, 86400s, 100, &s);
        cookie = first.create("alice", "tag-a", now);
        other = first.create("bob", "tag-b", now);
        ASSERT_TRUE(first.find(cookie, now));
    }
    EXPECT_FALSE(web_logins_contain(cookie)) << "the cookie itself must never be stored";

    // The next broker knows both logins from the store alone.
    LoginSessions second(600s, 86400s, 100, &s);
    auto found = second.find(cookie, now + 1s);
    ASSERT_TRUE(found) << "a login must survive a broker restart";
    EXPECT_EQ(found->user, "alice");
    EXPECT_EQ(found->credential_tag, "tag-a");
    // A made-up cookie of the right shape is not a login, before or after a restart.
    EXPECT_FALSE(second.find(std::string(43, 'A'), now + 1s));
    EXPECT_FALSE(second.find(cookie.substr(0, 42) + (cookie.back() == 'A' ? "B" : "A"), now));

    // Logout ends it for every later broker; bob's stays.
    second.end(cookie);
    LoginSessions third(600s, 86400s, 100, &s);
    EXPECT_FALSE(third.find(cookie, now + 2s)) << "a logged-out cookie came back after a restart";
    EXPECT_TRUE(third.find(other, now + 2s));

    // Idle past the TTL, across a restart too.
    LoginSessions fourth(600s, 86400s, 100, &s);
    EXPECT_FALSE(fourth.find(other, now + 700s));
    LoginSessions fifth(600s, 86400s, 100, &s);
    EXPECT_FALSE(fifth.find(other, now + 2s)) << "an expired login is deleted, not just skipped";
}

TEST_F(BrokerRestartState, StaleLoginRowsAreDeleted) {
    Store s = Store::open(path_);
    s.save_web_login({"id-old", "alice", "t", 10, 20});
    s.save_web_login({"id-new", "bob", "t", 1000, 1500});
    EXPECT_EQ(s.delete_stale_web_logins(100, 0), 1);
    EXPECT_FALSE(s.find_web_login("id-old"));
    ASSERT_TRUE(s.find_web_login("id-new"));
    s.touch_web_login("id-new", 1400);  // never moves backwards
    EXPECT_EQ(s.find_web_login("id-new")->last_used_at, 1500);
    s.touch_web_login("id-new", 1600);
    EXPECT_EQ(s.find_web_login("id-new")->last_used_at, 1600);
    EXPECT_EQ(s.delete_stale_web_logins(0, 1001), 1) << "max age counts from the login";
}

}  // namespace
}  // namespace tandem::broker
