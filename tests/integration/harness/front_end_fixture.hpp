// The scene for scenarios that run against both front ends (TEST_P over FrontEndKind): a managed
// host registered as web01 (and again as db07, which nobody may use), a tandem instance, and
// alice, bob and carol holding grants on LOGIN@web01 while dave holds none; bob also has a web
// password. The people log in the way the front end wants (FrontEnd::login); sharing scenarios
// also run tandem-broker with its web face.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

#include "harness/bastion_fixture.hpp"
#include "harness/front_end.hpp"
#include "harness/sharing_steps.hpp"

namespace tandem::test {

class FrontEndTest : public ::testing::TestWithParam<FrontEndKind> {
  protected:
    // Sharing scenarios need the broker; the others leave it off (sessions work without).
    virtual bool with_broker() const { return false; }

    void SetUp() override {
        const std::string why = front_end_unavailable_reason(GetParam());
        if (!why.empty()) GTEST_SKIP() << why;
        host = std::make_unique<ManagedHost>(tmp.subdir("host"));
        bastion = std::make_unique<BastionInstance>(tmp.subdir("bastion"));
        account = bastion->add_host_account("web01", *host);
        ungranted_account = bastion->add_host_account("db07", *host);
        alice_key = bastion->add_user("alice");
        bob_key = bastion->add_user("bob");
        carol_key = bastion->add_user("carol");
        dave_key = bastion->add_user("dave");
        for (const char* person : {"alice", "bob", "carol"}) bastion->grant(person, account);
        // bob can also log in to the web face (the broker's, in sharing scenarios).
        const auto passwd = bastion->admin({"user", "passwd", "bob"}, bob_web_password + "\n");
        ASSERT_EQ(passwd.exit_code, 0) << passwd.describe();
        // Last: the OpenSSH front end hands the instance's files to the service uid.
        front_end = FrontEnd::start(GetParam(), *bastion, tmp.subdir("front-end"));
        if (with_broker()) front_end->start_broker();
    }

    void TearDown() override {
        if (HasFailure() && front_end)
            std::fprintf(stderr, "[ front end] %s\n%s\n", front_end_name(GetParam()).c_str(),
                         front_end->diagnostics().c_str());
    }

    // person's ssh client on a PTY: the bastion prompt, or a direct connection to `command`.
    std::unique_ptr<PtySession> login(const std::string& person, const std::string& key,
                                      const std::string& command = {}, int cols = 80,
                                      int rows = 24) {
        return std::make_unique<PtySession>(front_end->login(person, key, command), cols, rows);
    }
    std::unique_ptr<PtySession> alice(const std::string& command = {}, int cols = 80,
                                      int rows = 24) {
        return login("alice", alice_key, command, cols, rows);
    }
    // alice straight on the host, at its shell prompt.
    std::unique_ptr<PtySession> creator() {
        auto ssh = alice(account);
        EXPECT_TRUE(await_host_shell(*ssh)) << "alice's session did not reach the host's shell";
        return ssh;
    }
    // An invitee's ssh client: `ssh -p PORT join@HOST TOKEN` with their own key.
    std::unique_ptr<PtySession> join(const std::string& key, const std::string& token) {
        return std::make_unique<PtySession>(front_end->join(key, token));
    }

    // A file path in this test's directory (the managed host, a local sshd, shares it).
    std::string path(const std::string& name) const { return tmp / name; }

    TempDir tmp{"fe"};  // declared first: destroyed last, after every process is gone
    std::unique_ptr<ManagedHost> host;
    std::unique_ptr<BastionInstance> bastion;
    std::unique_ptr<FrontEnd> front_end;
    std::string account;            // LOGIN@web01
    std::string ungranted_account;  // LOGIN@db07: registered, granted to nobody
    std::string alice_key, bob_key, carol_key, dave_key;
    const std::string bob_web_password = "bob's web password, long enough";
};

// Test names end in the front end: FrontEnds/BastionScenario.Login.../openssh.
inline std::string front_end_test_name(const ::testing::TestParamInfo<FrontEndKind>& info) {
    return front_end_name(info.param);
}

}  // namespace tandem::test
