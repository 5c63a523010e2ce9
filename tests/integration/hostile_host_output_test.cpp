// Output no managed host should send, sent through the real path: the bytes the fuzzer found
// crashing libvterm inside the broker (a C1 control in UTF-8, then a character, in insert mode;
// an aborted CSI, then text libvterm took as 17 arguments) are printed by the host of a shared
// session. The broker must live on: the invitee keeps
// getting live output and a late joiner gets the screen (the join parses it). The control:
// a real character that starts with the same byte (U+00A9) reaches the late joiner as itself.
#include <signal.h>

#include "harness/paths.hpp"
#include "harness/sharing_fixture.hpp"

namespace tandem::test {
namespace {

using HostileHostOutput = SharingTest;

TEST_F(HostileHostOutput, OutputThatCrashedLibvtermDoesNotCrashTheBroker) {
    auto alice = creator();
    auto invite = share(*alice);
    ASSERT_TRUE(invite);
    auto bob = join(bob_key, invite->token);
    const auto ready = unique_marker("ready");
    alice->send_line(print_command(ready));
    ASSERT_TRUE(bob->expect(ready, 30s));
    const pid_t broker = bastion->broker_pid();

    // Insert mode, U+0089 as UTF-8 and a character; then insert mode off. And U+00A9.
    alice->send_line("printf '\\033[4h\\302\\211x\\302\\200y\\033[4l\\n\\302\\251 copyright\\n'");
    // A CSI aborted by the ESC of one that writes nothing, then 17 semicolons.
    alice->send_line("printf '\\033[\\033[;h;;;;;;;;;;;;;;;;;4h\\n'");
    const auto after = unique_marker("after-c1");
    alice->send_line(print_command(after));
    ASSERT_TRUE(alice->expect(after + "\r\n", 20s));
    EXPECT_TRUE(bob->expect(after, 30s)) << "live output stopped:\n" << bob->tail();

    auto carol = join(carol_key, invite->token);
    EXPECT_TRUE(carol->expect(after, 30s)) << "the late joiner got no screen:\n" << carol->tail();
    EXPECT_TRUE(carol->expect("\xc2\xa9 copyright", 10s)) << "the control character was lost";
    EXPECT_EQ(::kill(broker, 0), 0) << "the broker died";
    EXPECT_EQ(bastion->broker_pid(), broker);
}

}  // namespace
}  // namespace tandem::test
