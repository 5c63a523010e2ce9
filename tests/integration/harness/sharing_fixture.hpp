// The scene for shared-session tests: the usual bastion (alice holds a grant on LOGIN@web01)
// plus a running tandem-broker, and two more people, bob and carol, holding grants on the same
// account, so they may join alice's shared session. Invitees join the way users do: `ssh -p PORT
// join@127.0.0.1 TOKEN` with their own key.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "harness/bastion_fixture.hpp"
#include "harness/sharing_steps.hpp"
#include "harness/tmux_client.hpp"

namespace tandem::test {

class SharingTest : public BastionTest {
  protected:
    // Overrides for tandem-broker; by default the same as tandem-sshd's (invite.ttl,
    // invite.max_participants matter to both the hook and the broker).
    virtual std::vector<std::string> broker_overrides() const { return sshd_overrides(); }

    void SetUp() override {
        BastionTest::SetUp();
        bastion->start_broker(broker_overrides());
        bob_key = bastion->add_user("bob");
        bastion->grant("bob", account);
        carol_key = bastion->add_user("carol");
        bastion->grant("carol", account);
    }

    // alice's session on the host, at its shell prompt.
    std::unique_ptr<PtySession> creator(int cols = 80, int rows = 24) {
        auto ssh = alice(account, cols, rows);
        EXPECT_TRUE(await_host_shell(*ssh)) << "alice's session did not reach the host's shell";
        return ssh;
    }

    // alice's session on a real screen (recorded, so the invite can be read from its bytes).
    std::unique_ptr<TmuxClient> creator_screen(int cols = 80, int rows = 24) {
        auto screen = std::make_unique<TmuxClient>(bastion->ssh("alice", alice_key, account), cols,
                                                   rows, /*record_output=*/true);
        EXPECT_GE(screen->expect_row_matching(R"([#$]$)", 60s), 0);
        return screen;
    }

    SshTarget join_target(const std::string& key, const std::string& token) const {
        return bastion->ssh("join", key, token);
    }

    // An invitee's ssh client on a PTY (same size as the creator's unless told otherwise).
    std::unique_ptr<PtySession> join(const std::string& key, const std::string& token,
                                     int cols = 80, int rows = 24) {
        return std::make_unique<PtySession>(join_target(key, token), cols, rows);
    }

    // An invitee on a real screen.
    std::unique_ptr<TmuxClient> join_screen(const std::string& key, const std::string& token,
                                            int cols = 80, int rows = 24) {
        return std::make_unique<TmuxClient>(join_target(key, token), cols, rows);
    }

    // A file path in this test's directory (which the managed host, a local sshd, shares).
    std::string path(const std::string& name) const { return tmp / name; }

    std::string bob_key;
    std::string carol_key;
};

}  // namespace tandem::test
