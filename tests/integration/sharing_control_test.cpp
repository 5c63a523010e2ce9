// Notices do not corrupt a full-screen program's display (docs/sharing.md). Control handover
// (request, agree, the invitee typing, release, refuse, take) runs against both front ends in
// front_end_sharing_test.cpp.
#include "harness/paths.hpp"
#include "harness/sharing_fixture.hpp"

namespace tandem::test {
namespace {

using SharingControl = SharingTest;

// A control request arriving while the creator is in vi shows as a notice and then vi's screen
// is exactly as before.
TEST_F(SharingControl, RequestNoticeOverViLeavesViScreenIntact) {
    write_file(path("notice.txt"), "first line\nsecond line\nthird line\n");
    auto alice = creator_screen();
    auto invite = share(*alice);
    ASSERT_TRUE(invite);
    alice->send_text("vi -u NONE -i NONE " + path("notice.txt"));
    alice->send_key("Enter");
    ASSERT_TRUE(alice->expect_on_screen("third line\n~"));
    auto bob = join(bob_key, invite->token);
    ASSERT_TRUE(bob->expect("third line", 30s));
    // The "bob joined" notice comes and goes first.
    const std::string before = alice->settled_screen(3500ms, 20s);
    const auto cursor = alice->cursor();
    ASSERT_NE(before.find("second line"), std::string::npos);

    invitee_command(*bob, "control");
    ASSERT_TRUE(alice->expect_on_screen("bob applies for control", 15s));
    ASSERT_TRUE(alice->wait_until_absent("bob applies for control", 15s));
    EXPECT_EQ(printable(alice->settled_screen(800ms)), printable(before))
        << "vi's screen was not restored after the notice";
    EXPECT_EQ(alice->cursor(), cursor);

    // vi still has alice's keyboard (she still controls: the request is only pending).
    alice->send_text("Gofourth line");
    alice->send_key("Escape");
    EXPECT_TRUE(alice->expect_on_screen("third line\nfourth line\n~"));
}

}  // namespace
}  // namespace tandem::test
