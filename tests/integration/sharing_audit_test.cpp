// Audit and secrecy of a shared session (every sharing event audited, tokens never written):
// `tandem-admin audit` lists the share, the invite, who joined and left, and every control event,
// each with who did it; and the invite token (a bearer secret) is written nowhere in the instance
// directory except the recordings (which hold the creator's screen, where share printed it).
#include <algorithm>
#include <filesystem>
#include <regex>

#include "harness/paths.hpp"
#include "harness/sharing_fixture.hpp"

namespace tandem::test {
namespace {

using SharingAudit = SharingTest;

// An audit row "AT ACTOR ACTION SUBJECT DETAIL" with this actor and action.
bool has_row(const std::string& audit, const std::string& actor, const std::string& action) {
    const std::regex row("(^|\\n)\\S+\\s+" + actor + "\\s+" +
                         std::regex_replace(action, std::regex("\\."), "\\.") + "(\\s|$)");
    return std::regex_search(audit, row);
}

TEST_F(SharingAudit, AuditListsTheShareItsParticipantsAndControlEventsAndNoFileHoldsTheToken) {
    auto alice = creator();
    auto invite = share(*alice);
    ASSERT_TRUE(invite);
    auto bob = join(bob_key, invite->token);
    const auto ready = unique_marker("ready");
    alice->send_line(print_command(ready));
    ASSERT_TRUE(bob->expect(ready, 30s));

    // A full round of control: apply, agree, release; then bob leaves.
    invitee_command(*bob, "control");
    ASSERT_TRUE(alice->saw("bob applies for control", 0, 15s)) << alice->tail();
    escape_command(*alice, "agree");
    close_escape_prompt(*alice);
    ASSERT_TRUE(bob->expect("bob now controls the session", 15s));
    const auto typed = unique_marker("typed-by-bob");
    bob->send_line(print_command(typed));
    ASSERT_TRUE(alice->expect(typed + "\r\n", 20s));
    invitee_command(*bob, "release");
    ASSERT_TRUE(bob->expect("alice now controls the session", 15s));
    invitee_command(*bob, "exit");
    ASSERT_TRUE(bob->read_all_until_exit(20s));
    ASSERT_TRUE(alice->saw("bob left", 0, 15s)) << alice->tail();
    escape_command(*alice, "unshare");
    close_escape_prompt(*alice);
    alice->send_line("exit");
    ASSERT_TRUE(alice->read_all_until_exit(30s));

    const std::string audit = bastion->admin_ok({"audit"}).out;
    EXPECT_TRUE(has_row(audit, "alice", "share.create")) << audit;
    EXPECT_TRUE(has_row(audit, "alice", "invite.issue")) << audit;
    EXPECT_TRUE(has_row(audit, "bob", "participant.join")) << audit;
    EXPECT_TRUE(has_row(audit, "bob", "control.apply")) << audit;
    EXPECT_TRUE(has_row(audit, "alice", "control.agree")) << audit;
    EXPECT_TRUE(has_row(audit, "bob", "control.release")) << audit;
    EXPECT_TRUE(has_row(audit, "bob", "participant.leave")) << audit;
    EXPECT_TRUE(has_row(audit, "alice", "share.end")) << audit;
    EXPECT_EQ(audit.find(invite->token), std::string::npos) << "the audit shows the token";

    // The token, or its signature alone, in any file of the instance but the recordings.
    const std::string signature = invite->token.substr(invite->token.rfind('.') + 1);
    namespace fs = std::filesystem;
    const fs::path recordings = fs::path(bastion->recordings_dir());
    std::vector<std::string> checked;
    for (auto it = fs::recursive_directory_iterator(bastion->dir());
         it != fs::recursive_directory_iterator(); ++it) {
        if (it->path() == recordings) {
            it.disable_recursion_pending();
            continue;
        }
        if (!it->is_regular_file()) continue;
        const std::string content = read_file(it->path().string());
        checked.push_back(it->path().filename().string());
        EXPECT_EQ(content.find(invite->token), std::string::npos)
            << it->path() << " holds the invite token";
        EXPECT_EQ(content.find(signature), std::string::npos)
            << it->path() << " holds the invite token's signature";
    }
    EXPECT_NE(std::find(checked.begin(), checked.end(), "tandem.log"), checked.end())
        << "no tandem.log was written, so the log was not checked";
    EXPECT_NE(std::find(checked.begin(), checked.end(), "tandem.db"), checked.end());
}

}  // namespace
}  // namespace tandem::test
