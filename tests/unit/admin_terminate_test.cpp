// tandem-admin terminate: its arguments, and the order it leaves in the store (which the
// session's hook reads on its access re-check) with its audit event.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "terminate_command.hpp"

namespace tandem::admin {
namespace {

std::string terminate_usage_error(std::vector<std::string> args) {
    try {
        parse_terminate(args);
    } catch (const UsageError& e) {
        return e.what();
    }
    return {};
}

TEST(AdminTerminateParser, SessionAndReason) {
    auto o = parse_terminate({"6f1c0e4a-5b7d-4a41-9d43-0c7f6c3e2a10"});
    EXPECT_EQ(o.session, "6f1c0e4a-5b7d-4a41-9d43-0c7f6c3e2a10");
    EXPECT_EQ(o.reason, "");
    o = parse_terminate({"s", "--reason", "change freeze"});
    EXPECT_EQ(o.reason, "change freeze");
    EXPECT_EQ(parse_terminate({"--reason=x y", "s"}).reason, "x y");
    EXPECT_NE(terminate_usage_error({}).find("which session?"), std::string::npos);
    EXPECT_NE(terminate_usage_error({"s", "t"}).find("unexpected argument 't'"), std::string::npos);
    EXPECT_NE(terminate_usage_error({"s", "--reason"}).find("needs a value"), std::string::npos);
    EXPECT_NE(terminate_usage_error({"s", "--reason", "a", "--reason", "b"}).find("twice"),
              std::string::npos);
    EXPECT_NE(terminate_usage_error({"s", "--force"}).find("unknown option '--force'"),
              std::string::npos);
    EXPECT_NE(terminate_usage_error({"s", "--reason", "two\nlines"}).find("one line"),
              std::string::npos);
    EXPECT_NE(terminate_usage_error({"s", "--reason", "\x1b[2Jclear"}).find("one line"),
              std::string::npos);
    EXPECT_NE(
        terminate_usage_error({"s", "--reason", std::string(201, 'x')}).find("longer than 200"),
        std::string::npos);
    EXPECT_TRUE(terminate_usage_error({"s", "--reason", std::string(200, 'x')}).empty());
}

class TerminationStore : public ::testing::Test {
  protected:
    void SetUp() override {
        path_ = std::filesystem::temp_directory_path() /
                ("tandem-terminate-" + std::to_string(::getpid()) + ".db");
        store_.emplace(Store::open(path_));
        const Id alice = store_->add_user("alice", false, "");
        Host host;
        host.name = "web01";
        host.address = "127.0.0.1";
        const Id account =
            store_->put_account(store_->add_host(host), "root", CredentialKind::password, "x");
        SessionRecord live;
        live.uuid = "live-1";
        live.user_id = alice;
        live.account_id = account;
        store_->begin_session(live);
        SessionRecord ended = live;
        ended.uuid = "ended-1";
        ended_id_ = store_->begin_session(ended);
        store_->end_session(ended_id_, 0, "exit");
    }
    void TearDown() override {
        store_.reset();
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
    }
    std::string path_;
    std::optional<Store> store_;
    Id ended_id_ = 0;
};

TEST_F(TerminationStore, AnOrderForALiveSessionIsKeptAndAudited) {
    EXPECT_FALSE(store_->find_termination("live-1"));
    store_->order_termination({"live-1", 1000, "root", "change freeze"});
    auto order = store_->find_termination("live-1");
    ASSERT_TRUE(order);
    EXPECT_EQ(order->actor, "root");
    EXPECT_EQ(order->reason, "change freeze");
    EXPECT_EQ(order->at, 1000);
    // A second order keeps the first (its time and reason are what people were told).
    store_->order_termination({"live-1", 2000, "ops", "other"});
    EXPECT_EQ(store_->find_termination("live-1")->reason, "change freeze");
    const auto audit = store_->list_audit(10);
    ASSERT_FALSE(audit.empty());
    EXPECT_EQ(audit.front().action, "session.terminate");
    EXPECT_EQ(audit.front().subject, "live-1");
    EXPECT_NE(audit.front().detail.find("user=alice account=root@web01"), std::string::npos)
        << audit.front().detail;
}

TEST_F(TerminationStore, NoOrderForAnEndedOrUnknownSession) {
    for (const char* uuid : {"ended-1", "nope"}) {
        try {
            store_->order_termination({uuid, 0, "root", ""});
            ADD_FAILURE() << uuid << " was accepted";
        } catch (const StoreError& e) {
            EXPECT_EQ(e.kind(), StoreError::Kind::not_found);
        }
        EXPECT_FALSE(store_->find_termination(uuid));
    }
    // Nothing was audited for the refusals.
    for (const auto& e : store_->list_audit(10)) EXPECT_NE(e.action, "session.terminate");
}

}  // namespace
}  // namespace tandem::admin
