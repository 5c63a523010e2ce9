// The broker driven over its real Unix socket with raw frames, as hooks will drive it.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "broker_fixture.hpp"
#include "tandem/screen_state.hpp"

namespace tandem::broker {
namespace {

TEST_F(BrokerTest, JoinerSeesExactScreenThenLiveOutput) {
    auto session = open_session();
    session->send(FrameType::output, "\x1b[2J\x1b[Hhello \x1b[31mred\x1b[0m\r\nline two\r\n$ ");
    auto token = share(*session);
    auto [viewer, welcome] = join("bob", token);
    ASSERT_TRUE(welcome.value("ok", false)) << welcome.dump();
    EXPECT_EQ(welcome["creator"], "alice");
    EXPECT_EQ(welcome["account"], "root@web01");
    EXPECT_EQ(welcome["controller"], "alice");
    auto snapshot = viewer->next(FrameType::snapshot);
    ASSERT_TRUE(snapshot);
    ScreenState seen(24, 80);
    seen.feed(snapshot->payload);
    EXPECT_EQ(seen.row_text(0), "hello red");
    EXPECT_EQ(seen.row_text(1), "line two");
    EXPECT_EQ(seen.row_text(2), "$");
    EXPECT_EQ(seen.cursor_row(), 2);
    EXPECT_EQ(seen.cursor_col(), 2);
    EXPECT_EQ(seen.cell(0, 6).pen.fg.kind, ScreenState::Color::Kind::indexed);
    EXPECT_EQ(seen.cell(0, 6).pen.fg.index, 1);
    session->send(FrameType::output, "live!");
    auto live = viewer->next(FrameType::output);
    ASSERT_TRUE(live);
    EXPECT_EQ(live->payload, "live!");
    auto joined = session->next_json(FrameType::notice);
    EXPECT_EQ(joined["event"], "joined");
    EXPECT_EQ(joined["user"], "bob");
}

TEST_F(BrokerTest, JoinerDuringAFullScreenProgramGetsTheMainScreenBackWhenItExits) {
    auto session = open_session();
    session->send(FrameType::output, "\x1b[2J\x1b[Hshell line one\r\n$ vi file");
    session->send(FrameType::output, "\r\n\x1b[?10");  // the switch split across chunks
    session->send(FrameType::output, "49h\x1b[H\x1b[2Jvi screen\x1b[2;1H~");
    auto [viewer, welcome] = join("bob", share(*session));
    ASSERT_TRUE(welcome.value("ok", false));
    auto snapshot = viewer->next(FrameType::snapshot);
    ASSERT_TRUE(snapshot);
    ScreenState seen(24, 80);
    seen.feed(snapshot->payload);
    EXPECT_TRUE(seen.alt_screen());
    EXPECT_EQ(seen.row_text(0), "vi screen");
    EXPECT_EQ(seen.row_text(1), "~");
    seen.feed("\x1b[?1049l");  // vi quits
    EXPECT_EQ(seen.row_text(0), "shell line one");
    EXPECT_EQ(seen.row_text(1), "$ vi file");
    EXPECT_EQ(seen.cursor_row(), 2);
}

// The main screen's render carries the title it had; a title the program cleared since must
// not come back with it (found by the terminal_snapshot fuzz target).
TEST_F(BrokerTest, TitleClearedOnTheAltScreenStaysClearedForAJoiner) {
    auto session = open_session();
    session->send(FrameType::output,
                  "\x1b]2;build logs\a$ vi\r\n\x1b[?1049h\x1b[H\x1b]2;\avi screen");
    const auto token = share(*session);
    auto [viewer, welcome] = join("bob", token);
    ASSERT_TRUE(welcome.value("ok", false));
    auto snapshot = viewer->next(FrameType::snapshot);
    ASSERT_TRUE(snapshot);
    ScreenState seen(24, 80);
    seen.feed(snapshot->payload);
    EXPECT_TRUE(seen.alt_screen());
    EXPECT_EQ(seen.row_text(0), "vi screen");
    EXPECT_EQ(seen.title(), "");
    // Positive control: a title set on the alt screen does reach the joiner.
    session->send(FrameType::output, "\x1b]2;editing\a");
    auto [dave, dave_welcome] = join("dave", token);
    ASSERT_TRUE(dave_welcome.value("ok", false));
    auto dave_snapshot = dave->next(FrameType::snapshot);
    ASSERT_TRUE(dave_snapshot);
    ScreenState dave_seen(24, 80);
    dave_seen.feed(dave_snapshot->payload);
    EXPECT_EQ(dave_seen.title(), "editing");
}

TEST_F(BrokerTest, OnlyTheControllersInputReachesTheHook) {
    auto session = open_session();
    auto [viewer, welcome] = join("bob", share(*session));
    ASSERT_TRUE(welcome.value("ok", false));
    viewer->send(FrameType::input, "canary-before-control\r");
    viewer->send_json(FrameType::command, {{"id", 1}, {"cmd", "control"}});
    EXPECT_TRUE(viewer->next_json(FrameType::reply)["ok"].get<bool>());
    json request;
    do request = session->next_json(FrameType::notice);
    while (!request.is_null() && request["event"] != "request");
    EXPECT_EQ(request["user"], "bob");
    session->send_json(FrameType::command, {{"id", 2}, {"cmd", "agree"}});
    EXPECT_TRUE(session->next_json(FrameType::reply)["ok"].get<bool>());
    json control;
    do control = viewer->next_json(FrameType::notice);
    while (!control.is_null() && control["event"] != "control");
    EXPECT_EQ(control["controller"], "bob");
    EXPECT_TRUE(control["you"].get<bool>());
    viewer->send(FrameType::input, "typed-by-bob\r");
    auto input = session->next(FrameType::input);
    ASSERT_TRUE(input);
    EXPECT_EQ(input->payload, "typed-by-bob\r");  // and not the canary sent before control
    viewer->send_json(FrameType::command, {{"id", 3}, {"cmd", "release"}});
    EXPECT_TRUE(viewer->next_json(FrameType::reply)["ok"].get<bool>());
    viewer->send(FrameType::input, "canary-after-release\r");
    viewer->send_json(FrameType::command, {{"id", 4}, {"cmd", "release"}});
    auto again = viewer->next_json(FrameType::reply);
    EXPECT_EQ(again["code"], "T_715");
    EXPECT_FALSE(session->next(FrameType::input, 300ms)) << "input after release reached the hook";
}

TEST_F(BrokerTest, RefuseAndTake) {
    auto session = open_session();
    auto [viewer, welcome] = join("bob", share(*session));
    viewer->send_json(FrameType::command, {{"id", 1}, {"cmd", "control"}});
    viewer->next_json(FrameType::reply);
    session->send_json(FrameType::command, {{"id", 2}, {"cmd", "refuse"}});
    EXPECT_TRUE(session->next_json(FrameType::reply)["ok"].get<bool>());
    json refused;
    do refused = viewer->next_json(FrameType::notice);
    while (!refused.is_null() && refused["event"] != "refused");
    EXPECT_FALSE(refused.is_null());
    session->send_json(FrameType::command, {{"id", 3}, {"cmd", "agree"}});
    EXPECT_EQ(session->next_json(FrameType::reply)["code"], "T_714");
    viewer->send_json(FrameType::command, {{"id", 4}, {"cmd", "control"}});
    viewer->next_json(FrameType::reply);
    session->send_json(FrameType::command, {{"id", 5}, {"cmd", "agree"}});
    session->next_json(FrameType::reply);
    session->send_json(FrameType::command, {{"id", 6}, {"cmd", "take"}});
    EXPECT_TRUE(session->next_json(FrameType::reply)["ok"].get<bool>());
    viewer->send(FrameType::input, "canary-after-take\r");
    EXPECT_FALSE(session->next(FrameType::input, 300ms));
}

TEST_F(BrokerTest, UnshareForcesEveryoneOutAndKillsTheUrl) {
    auto session = open_session();
    auto token = share(*session);
    auto [bob, w1] = join("bob", token);
    auto [dave, w2] = join("dave", token);
    ASSERT_TRUE(w1.value("ok", false));
    ASSERT_TRUE(w2.value("ok", false));
    session->send_json(FrameType::command, {{"id", 1}, {"cmd", "unshare"}});
    EXPECT_TRUE(session->next_json(FrameType::reply)["ok"].get<bool>());
    for (auto* v : {bob.get(), dave.get()}) {
        auto end = v->next_json(FrameType::end);
        EXPECT_EQ(end["code"], "T_704");
        EXPECT_FALSE(v->next(std::nullopt, 2s));
        EXPECT_TRUE(v->closed);
    }
    auto [late, refused] = join("bob", token);
    EXPECT_FALSE(refused.value("ok", true));
    EXPECT_EQ(refused["code"], "T_704");
    auto fresh = share(*session);  // a new share makes a new URL that works
    EXPECT_NE(fresh, token);
    auto [back, w3] = join("bob", fresh);
    EXPECT_TRUE(w3.value("ok", false));
}

TEST_F(BrokerTest, ExitThenRejoinWithTheSameUrl) {
    auto session = open_session();
    auto token = share(*session);
    auto [bob, w1] = join("bob", token);
    bob->send_json(FrameType::command, {{"id", 1}, {"cmd", "exit"}});
    EXPECT_FALSE(bob->next_json(FrameType::end).is_null());
    auto [again, w2] = join("bob", token);
    EXPECT_TRUE(w2.value("ok", false)) << w2.dump();
}

TEST_F(BrokerTest, RefusalsHaveTheirCodes) {
    auto session = open_session();
    auto token = share(*session, 60);
    EXPECT_EQ(join("carol", token).second["code"], "T_302");   // no grant
    EXPECT_EQ(join("nobody", token).second["code"], "T_302");  // no such user
    std::string tampered = token;
    tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
    EXPECT_EQ(join("bob", tampered).second["code"], "T_702");
    EXPECT_EQ(join("bob", "not-a-token").second["code"], "T_702");
    clock_offset_ = 61;
    EXPECT_EQ(join("bob", token).second["code"], "T_703");
    session->send_json(FrameType::command, {{"id", 1}, {"cmd", "share"}, {"ttl", 999999}});
    EXPECT_EQ(session->next_json(FrameType::reply)["code"], "T_707");
}

TEST_F(BrokerTest, SessionEndTellsViewersWhyAndEndsTheShare) {
    auto session = open_session();
    auto token = share(*session);
    auto [bob, w] = join("bob", token);
    session->send_json(FrameType::end, {{"reason", "T_514"}, {"code", "T_514"}});
    auto end = bob->next_json(FrameType::end);
    EXPECT_EQ(end["code"], "T_514");
    EXPECT_EQ(join("bob", token).second["code"], "T_705");
}

TEST_F(BrokerTest, RevokedGrantEjectsWithinSeconds) {
    // The periodic recheck is main()'s timer; here the test drives it as the timer would.
    auto session = open_session();
    auto [bob, w] = join("bob", share(*session));
    ASSERT_TRUE(w.value("ok", false));
    Store admin = Store::open_existing(config_.store_path);
    admin.revoke(admin.find_user("bob")->id, admin.find_account("root", "web01")->id);
    boost::asio::post(io_, [this] { registry_->recheck_grants(); });
    auto end = bob->next_json(FrameType::end);
    EXPECT_EQ(end["code"], "T_708");
}

TEST_F(BrokerTest, StalledViewerIsResyncedAndNeverSlowsOthers) {
    auto session = open_session();
    auto token = share(*session);
    auto [slow, w1] = join("bob", token);
    auto [fast, w2] = join("dave", token);
    ASSERT_TRUE(fast->next(FrameType::snapshot));
    const std::string chunk(60000, 'x');
    const int chunks = 200;  // 12 MB, far past the viewer bound and socket buffers
    // The writer stays at most 256 KB ahead of the fast viewer: a viewer that keeps up, however
    // busy the machine, whereas the broker itself may take output faster than any one reader.
    std::atomic<std::size_t> received = 0;
    std::atomic<bool> reading = true;
    std::thread writer([&] {
        for (int i = 0; i < chunks; ++i) {
            while (reading && i * chunk.size() > received + 256 * 1024)
                std::this_thread::sleep_for(1ms);
            session->send(FrameType::output, chunk);
        }
    });
    while (received < chunk.size() * chunks) {
        auto f = fast->next(FrameType::output, 10s);
        if (!f) {
            reading = false;
            writer.join();
            FAIL() << "fast viewer starved after " << received << " bytes";
        }
        received += f->payload.size();
    }
    writer.join();
    EXPECT_EQ(received, chunk.size() * chunks);
    for (const auto& f : fast->skipped)
        EXPECT_NE(f.type, FrameType::snapshot) << "the fast viewer was resynced: it lost output";
    // The stalled viewer now reads: it is brought up to date with a fresh snapshot.
    int snapshots = 0;
    while (auto f = slow->next(std::nullopt, 3s))
        if (f->type == FrameType::snapshot) ++snapshots;
    EXPECT_GE(snapshots, 2);  // the join snapshot and at least one resync
}

// broker.viewer_max_lag over the hook socket (an SSH invitee's join viewer): a viewer that
// stopped reading is repainted once the output waiting for it is older than the limit, under
// the byte bound; one that reads gets every byte.
class BrokerLagTest : public BrokerTest {
  protected:
    void SetUp() override {
        viewer_max_lag_ = 300ms;
        BrokerTest::SetUp();
    }
};

TEST_F(BrokerLagTest, AViewerFurtherBehindThanTheMaxLagIsRepaintedUnderTheByteBound) {
    auto session = open_session();
    auto token = share(*session);
    auto [slow, w1] = join("bob", token);
    auto [fast, w2] = join("dave", token);
    ASSERT_TRUE(fast->next(FrameType::snapshot));
    // 600 KB over 1.5 s: more than the stalled viewer's socket holds, under the 1 MiB bound.
    const std::string chunk(10000, 'y');
    const int chunks = 60;
    std::thread writer([&] {
        for (int i = 0; i < chunks; ++i) {
            session->send(FrameType::output, chunk);
            std::this_thread::sleep_for(25ms);
        }
    });
    std::size_t received = 0;
    while (received < chunk.size() * chunks) {
        auto f = fast->next(FrameType::output, 10s);
        if (!f) break;
        received += f->payload.size();
    }
    writer.join();
    EXPECT_EQ(received, chunk.size() * chunks) << "the reading viewer lost output";
    for (const auto& f : fast->skipped)
        EXPECT_NE(f.type, FrameType::snapshot) << "the reading viewer was repainted";
    std::size_t output_bytes = 0;
    int snapshots = 0;
    while (auto f = slow->next(std::nullopt, 3s)) {
        if (f->type == FrameType::snapshot) ++snapshots;
        if (f->type == FrameType::output) output_bytes += f->payload.size();
    }
    EXPECT_GE(snapshots, 2) << "the stalled viewer got " << output_bytes
                            << " bytes of output and no repaint";
    EXPECT_LT(output_bytes, chunk.size() * chunks);
}

TEST_F(BrokerTest, GapFromTheHookRepaintsViewers) {
    auto session = open_session();
    auto [bob, w] = join("bob", share(*session));
    ASSERT_TRUE(bob->next(FrameType::snapshot));
    session->send(FrameType::output, "before the gap\r\n");
    // The gap carries the newest output; viewers get it painted, not replayed as output.
    session->send(FrameType::gap, "\x1b[2J\x1b[Hafter the gap");
    std::optional<Frame> repaint;
    while (auto f = bob->next(std::nullopt, 5s)) {
        if (f->type == FrameType::output) {
            EXPECT_EQ(f->payload.find("after the gap"), std::string::npos)
                << "the replay reached the viewer as output";
        }
        if (f->type == FrameType::snapshot) {
            repaint = std::move(f);
            break;
        }
    }
    ASSERT_TRUE(repaint) << "no resync after a gap";
    ScreenState seen(24, 80);
    seen.feed(repaint->payload);
    EXPECT_EQ(seen.row_text(0), "after the gap");
}

TEST_F(BrokerTest, ProtocolViolationsCloseOnlyThatConnection) {
    auto session = open_session();
    Client rude(config_.broker_socket);
    rude.send(FrameType::output, "no hello first");
    EXPECT_FALSE(rude.next(std::nullopt, 2s));
    EXPECT_TRUE(rude.closed);
    Client huge(config_.broker_socket);
    const char header[5] = {0x10, 0, 0, 0, 2};  // 256 MiB frame announced
    huge.send_raw(std::string_view(header, 5));
    EXPECT_FALSE(huge.next(std::nullopt, 2s));
    EXPECT_TRUE(huge.closed);
    // The session is unaffected.
    auto token = share(*session);
    EXPECT_FALSE(token.empty());
}

TEST(BrokerPeer, TrustsOwnUid) {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    EXPECT_TRUE(peer_is_trusted(fds[0]));
    ::close(fds[0]);
    ::close(fds[1]);
}

}  // namespace
}  // namespace tandem::broker
