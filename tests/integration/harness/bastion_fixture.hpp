// The usual scene for an integration test: a managed host "web01", a tandem instance with
// tandem-sshd, and user alice holding a grant on LOGIN@web01 (LOGIN = the current Unix user).
// Each test gets its own directory, ports and processes, so ctest may run them in parallel.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "harness/bastion_instance.hpp"
#include "harness/managed_host.hpp"
#include "harness/markers.hpp"
#include "harness/pty_session.hpp"
#include "harness/temp_dir.hpp"
#include "tandem/errors.hpp"

namespace tandem::test {

// The bastion prompt as the user sees it.
inline constexpr const char* kPrompt = "tandem>";

// Waits for the managed host's shell prompt (bash: "...# " for root, "...$ " otherwise),
// so keystrokes go to the host's shell and not to whatever ran before it.
inline bool await_host_shell(PtySession& ssh) {
    return !ssh.expect_regex(R"([#$] )", 60s).empty();
}

// From the bastion prompt to the host's shell.
inline bool connect_from_prompt(PtySession& ssh, const std::string& account_name) {
    if (!ssh.expect(kPrompt, 60s)) return false;
    ssh.send_line("connect " + account_name);
    return await_host_shell(ssh);
}

// What a user sees for a refusal: "KIND error (code: T_NNN): SENTENCE".
inline std::string seen(ErrorCode code) {
    return user_message(code);
}

class BastionTest : public ::testing::Test {
  protected:
    // Overrides passed to tandem-sshd (which forwards them to tandem-shell).
    virtual std::vector<std::string> sshd_overrides() const { return {}; }
    // Overrides `tandem-admin init` writes into the instance's config (every binary reads).
    virtual std::vector<std::string> init_overrides() { return {}; }

    void SetUp() override {
        host = std::make_unique<ManagedHost>(tmp.subdir("host"));
        bastion = std::make_unique<BastionInstance>(tmp.subdir("bastion"), sshd_overrides(),
                                                    init_overrides());
        account = bastion->add_host_account("web01", *host);
        alice_key = bastion->add_user("alice");
        bastion->grant("alice", account);
    }

    // alice's ssh client on a PTY: the bastion prompt, or a direct connection to `command`.
    std::unique_ptr<PtySession> alice(const std::string& command = {}, int cols = 80,
                                      int rows = 24) {
        return std::make_unique<PtySession>(bastion->ssh("alice", alice_key, command), cols, rows);
    }

    TempDir tmp{"it"};  // declared first: destroyed last, after every process is gone
    std::unique_ptr<ManagedHost> host;
    std::unique_ptr<BastionInstance> bastion;
    std::string account;  // "root@web01"
    std::string alice_key;
};

}  // namespace tandem::test
