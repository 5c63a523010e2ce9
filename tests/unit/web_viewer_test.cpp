// The web viewer (WebSocketViewer) over real WebSockets: what a browser sees and may do.
#include <atomic>

#include "web_viewer_fixture.hpp"

namespace tandem::broker {
namespace {
TEST_F(WebViewerTest, WelcomeThenTheExactScreenThenLiveOutput) {
    auto session = open_session();
    session->send(FrameType::output, "\x1b[2J\x1b[Hhello \x1b[31mred\x1b[0m\r\nline two\r\n$ ");
    auto token = share(*session);
    Browser bob(port(), "bob");
    bob.join(token);
    auto welcome = bob.next();
    ASSERT_TRUE(welcome && !welcome->binary);
    auto w = nlohmann::json::parse(welcome->data);
    EXPECT_EQ(w["type"], "welcome");
    EXPECT_EQ(w["you"], "bob");
    EXPECT_EQ(w["creator"], "alice");
    EXPECT_EQ(w["account"], "root@web01");
    EXPECT_EQ(w["controller"], "alice");
    EXPECT_EQ(w["cols"], 80);
    EXPECT_EQ(w["rows"], 24);
    ASSERT_EQ(w["participants"].size(), 2u);
    EXPECT_EQ(w["participants"][1],
              nlohmann::json(
                  {{"user", "bob"}, {"via", "web"}, {"from", "127.0.0.1"}, {"controller", false}}));
    EXPECT_FALSE(w.contains("ok"));

    auto snapshot = bob.next();
    ASSERT_TRUE(snapshot && snapshot->binary);
    EXPECT_EQ(snapshot->tag(), 0x02);
    ScreenState seen(24, 80);
    seen.feed(snapshot->bytes());
    EXPECT_EQ(seen.row_text(0), "hello red");
    EXPECT_EQ(seen.row_text(1), "line two");
    EXPECT_EQ(seen.row_text(2), "$");
    EXPECT_EQ(seen.cursor_row(), 2);
    EXPECT_EQ(seen.cursor_col(), 2);
    EXPECT_EQ(seen.cell(0, 6).pen.fg.index, 1);

    bob.send({{"type", "resize"}, {"cols", 10}, {"rows", 5}});  // ignored: never sizes the host
    session->send(FrameType::output, "live!");
    auto live = bob.next();
    ASSERT_TRUE(live && live->binary);
    EXPECT_EQ(live->data, std::string("\x01live!"));
    session->send_json(FrameType::resize, {{"cols", 100}, {"rows", 30}});
    auto resize = bob.next_text("resize");
    EXPECT_EQ(resize["cols"], 100);
    EXPECT_EQ(resize["rows"], 30);

    auto joined = session->next_json(FrameType::notice);
    EXPECT_EQ(joined["event"], "joined");
    EXPECT_EQ(joined["text"], "bob joined (web from 127.0.0.1)");
    EXPECT_FALSE(session->next(FrameType::resize, 300ms)) << "a browser resized the host";
}

TEST_F(WebViewerTest, RefusalsCarryTheirCodeThenClose1008) {
    auto session = open_session();
    auto token = share(*session, 60);
    auto refused = [&](const std::string& user, const std::string& t) {
        Browser browser(port(), user);
        browser.join(t);
        auto r = browser.next_text("refused");
        EXPECT_FALSE(r.value("text", "").empty());
        EXPECT_EQ(browser.closed_with(), 1008);
        return r.value("code", "");
    };
    EXPECT_EQ(refused("bob", "not-a-token"), "T_702");
    EXPECT_EQ(refused("carol", token), "T_302");  // no grant on root@web01
    clock_offset_ = 61;
    EXPECT_EQ(refused("bob", token), "T_703");
}

TEST_F(WebViewerTest, FirstMessageMustBeAJoinWithinTenSeconds) {
    Browser silent(port(), "bob");
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(silent.closed_with(15s), 1008);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 9s);

    Browser input_first(port(), "bob");
    input_first.send({{"type", "input"}, {"data", "ls\r"}});
    EXPECT_EQ(input_first.closed_with(), 1008);
    Browser garbage(port(), "bob");
    garbage.send_raw("{\"type\":");
    EXPECT_EQ(garbage.closed_with(), 1008);
    Browser binary(port(), "bob");
    binary.send_raw("\x01ls\r", true);
    EXPECT_EQ(binary.closed_with(), 1008);
}

TEST_F(WebViewerTest, OnlyTheControllersInputReachesTheHook) {
    auto session = open_session();
    auto token = share(*session);
    auto bob = enter("bob", token);
    auto dave = enter("dave", token);
    bob->send({{"type", "input"}, {"data", "canary-before-control\r"}});
    bob->send({{"type", "control"}, {"id", 1}});
    auto reply = bob->next_text("reply");
    EXPECT_EQ(reply["id"], 1);
    EXPECT_TRUE(reply["ok"].get<bool>());
    nlohmann::json request;
    do request = session->next_json(FrameType::notice);
    while (!request.is_null() && request["event"] != "request");
    EXPECT_EQ(request["user"], "bob");
    session->send_json(FrameType::command, {{"id", 2}, {"cmd", "agree"}});
    EXPECT_TRUE(session->next_json(FrameType::reply)["ok"].get<bool>());
    auto granted = bob->next_notice("control");
    EXPECT_EQ(granted["controller"], "bob");
    EXPECT_TRUE(granted["you"].get<bool>());
    auto seen_by_dave = dave->next_notice("control");
    EXPECT_EQ(seen_by_dave["controller"], "bob");
    EXPECT_FALSE(seen_by_dave["you"].get<bool>());

    dave->send({{"type", "input"}, {"data", "canary-from-dave\r"}});
    bob->send({{"type", "input"}, {"data", "typed-by-bob\r"}});
    auto input = session->next(FrameType::input);
    ASSERT_TRUE(input);
    EXPECT_EQ(input->payload, "typed-by-bob\r");  // not a canary

    bob->send({{"type", "release"}, {"id", 3}});
    // The session announces the new controller while it answers: the notice comes first.
    EXPECT_FALSE(bob->next_notice("control")["you"].get<bool>());
    EXPECT_TRUE(bob->next_text("reply")["ok"].get<bool>());
    bob->send({{"type", "input"}, {"data", "canary-after-release\r"}});
    bob->send({{"type", "release"}, {"id", 4}});
    auto again = bob->next_text("reply");
    EXPECT_EQ(again["id"], 4);
    EXPECT_FALSE(again["ok"].get<bool>());
    EXPECT_EQ(again["code"], "T_715");
    EXPECT_FALSE(session->next(FrameType::input, 300ms)) << "a non-controller's input got through";
}

TEST_F(WebViewerTest, RefusalNoticeThenExitWithReplyEndAndCloseThenRejoin) {
    auto session = open_session();
    auto token = share(*session);
    auto bob = enter("bob", token);
    bob->send({{"type", "control"}, {"id", 1}});
    EXPECT_TRUE(bob->next_text("reply")["ok"].get<bool>());
    session->send_json(FrameType::command, {{"id", 2}, {"cmd", "refuse"}});
    EXPECT_TRUE(session->next_json(FrameType::reply)["ok"].get<bool>());
    EXPECT_FALSE(bob->next_notice("refused").is_null());
    bob->send({{"type", "agree"}});  // only the creator answers requests
    auto not_yours = bob->next_text("reply");
    EXPECT_FALSE(not_yours["ok"].get<bool>());
    EXPECT_FALSE(not_yours.contains("id"));
    EXPECT_EQ(not_yours.value("code", "").substr(0, 3), "T_7");

    bob->send({{"type", "exit"}, {"id", 3}});
    auto texts = std::vector<nlohmann::json>();
    while (auto m = bob->next())
        if (!m->binary) texts.push_back(nlohmann::json::parse(m->data));
    ASSERT_GE(texts.size(), 2u);
    EXPECT_EQ(texts[texts.size() - 2]["type"], "reply");
    EXPECT_EQ(texts[texts.size() - 2]["id"], 3);
    EXPECT_EQ(texts.back()["type"], "end");
    EXPECT_EQ(texts.back()["reason"], "exit");
    EXPECT_EQ(bob->close_code, 1000);
    nlohmann::json left;
    do left = session->next_json(FrameType::notice);
    while (!left.is_null() && left["event"] != "left");
    EXPECT_EQ(left["user"], "bob");
    auto back = enter("bob", token);  // the same URL works again
    EXPECT_FALSE(back->ended);
}

// What a browser that stopped reading gets once it reads again, until 3 s pass without a
// message: its output bytes, its snapshots, and the screen drawn from the last snapshot on.
struct CaughtUp {
    std::size_t output_bytes = 0;
    int snapshots = 0;
    std::unique_ptr<ScreenState> seen;
};

CaughtUp read_until_quiet(Browser& browser) {
    CaughtUp got;
    while (auto m = browser.next(3s)) {
        if (!m->binary) continue;
        if (m->tag() == 0x02) {
            ++got.snapshots;
            got.seen = std::make_unique<ScreenState>(24, 80);
        } else {
            got.output_bytes += m->data.size() - 1;
        }
        if (got.seen) got.seen->feed(m->bytes());
    }
    return got;
}

// broker.viewer_max_lag: a browser that stopped reading is repainted once the output waiting
// for it is older than the limit, long before its queue reaches the byte bound, and is brought
// to the present; a browser that reads gets every byte of the same output.
class WebViewerLagTest : public WebViewerTest {
  protected:
    void SetUp() override {
        viewer_max_lag_ = 300ms;
        WebViewerTest::SetUp();
    }
};

TEST_F(WebViewerLagTest, ABrowserFurtherBehindThanTheMaxLagIsRepaintedUnderTheByteBound) {
    auto session = open_session();
    auto token = share(*session);
    auto slow = enter("bob", token, kSmallSocketBuffer);
    auto fast = enter("dave", token);
    // 600 KB over 1.5 s: more than the stalled browser's socket buffers hold, so output waits
    // in the broker for it, and under the 1 MiB byte bound, so only its age can drop it.
    const std::string chunk(10000, 'y');
    const int chunks = 60;
    const std::string last = "\x1b[2J\x1b[Hend of trickle";
    std::thread writer([&] {
        for (int i = 0; i < chunks; ++i) {
            session->send(FrameType::output, chunk);
            std::this_thread::sleep_for(25ms);
        }
        session->send(FrameType::output, last);
    });
    const std::size_t total = chunk.size() * chunks + last.size();
    std::size_t received = 0;
    int fast_snapshots = 0;
    while (received < total) {
        auto m = fast->next(10s);
        if (!m) break;
        if (m->binary && m->tag() == 0x01) received += m->data.size() - 1;
        if (m->binary && m->tag() == 0x02) ++fast_snapshots;
    }
    writer.join();
    EXPECT_EQ(received, total) << "the reading browser lost output";
    EXPECT_EQ(fast_snapshots, 1) << "the reading browser was repainted";

    const auto [output_bytes, snapshots, seen] = read_until_quiet(*slow);
    RecordProperty("lagging_output_bytes", std::to_string(output_bytes));
    EXPECT_GE(snapshots, 2) << "the stalled browser got " << output_bytes
                            << " bytes of output and no repaint";
    EXPECT_LT(output_bytes, chunk.size() * chunks);
    ASSERT_TRUE(seen);
    EXPECT_EQ(seen->row_text(0), "end of trickle");
}

TEST_F(WebViewerTest, StalledBrowserIsResyncedAndNeverSlowsOthers) {
    auto session = open_session();
    auto token = share(*session);
    auto slow = enter("bob", token, kSmallSocketBuffer);
    auto fast = enter("dave", token);
    const std::string chunk(60000, 'x');
    const int chunks = 200;  // 12 MB, far past the 1 MiB bound and every socket buffer
    const std::string last = "\x1b[2J\x1b[Hend of flood";
    // The writer stays at most 256 KB ahead of the fast browser: a browser that keeps up, however
    // busy the machine, whereas the broker itself may take output faster than any one reader.
    std::atomic<std::size_t> received = 0;
    std::atomic<bool> reading = true;
    std::thread writer([&] {
        for (int i = 0; i < chunks; ++i) {
            while (reading && i * chunk.size() > received + 256 * 1024)
                std::this_thread::sleep_for(1ms);
            session->send(FrameType::output, chunk);
        }
        session->send(FrameType::output, last);
    });
    const std::size_t total = chunk.size() * chunks + last.size();
    int fast_snapshots = 0;
    while (received < total) {
        auto m = fast->next(10s);
        if (!m) {
            reading = false;
            writer.join();
            FAIL() << "fast browser starved after " << received << " bytes";
        }
        if (m->binary && m->tag() == 0x01) received += m->data.size() - 1;
        if (m->binary && m->tag() == 0x02) ++fast_snapshots;
    }
    writer.join();
    EXPECT_EQ(received, total);
    // Its join snapshot only: a resync would mean it lost output.
    EXPECT_EQ(fast_snapshots, 1) << "the fast browser was resynced";

    // The stalled browser reads again: it gets what its bounded queue held, then one fresh
    // snapshot that brings it to the current screen.
    const auto [output_bytes, snapshots, seen] = read_until_quiet(*slow);
    RecordProperty("stalled_output_bytes", std::to_string(output_bytes));
    EXPECT_GE(snapshots, 2);  // the join snapshot and at least one resync
    // Queue bound (1 MiB) plus the two small socket buffers: far below the 12 MB produced.
    EXPECT_LT(output_bytes, 3u * 1024 * 1024);
    ASSERT_TRUE(seen);
    EXPECT_EQ(seen->row_text(0), "end of flood");
}

TEST_F(WebViewerTest, OversizedMessageClosesOnlyThatBrowser) {
    auto session = open_session();
    auto token = share(*session);
    auto bob = enter("bob", token);
    auto dave = enter("dave", token);
    bob->send({{"type", "input"}, {"data", std::string(64 * 1024, 'y')}});
    EXPECT_EQ(bob->closed_with(), 1009);  // message too big
    EXPECT_EQ(dave->next_notice("left")["user"], "bob");
    session->send(FrameType::output, "still here");
    std::optional<Message> m;
    do m = dave->next();
    while (m && !(m->binary && m->tag() == 0x01));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->bytes(), "still here");
}

TEST_F(WebViewerTest, UnshareEndsEveryBrowserWithT704AndTheUrlStopsWorking) {
    auto session = open_session();
    auto token = share(*session);
    auto bob = enter("bob", token);
    auto dave = enter("dave", token);
    session->send_json(FrameType::command, {{"id", 1}, {"cmd", "unshare"}});
    EXPECT_TRUE(session->next_json(FrameType::reply)["ok"].get<bool>());
    for (auto* browser : {bob.get(), dave.get()}) {
        auto end = browser->next_text("end");
        EXPECT_EQ(end["code"], "T_704");
        EXPECT_EQ(end["reason"], "cancelled");
        EXPECT_EQ(end["text"], user_message(ErrorCode::T_704_share_cancelled));
        EXPECT_EQ(browser->closed_with(), 1000);
    }
    Browser late(port(), "bob");
    late.join(token);
    EXPECT_EQ(late.next_text("refused")["code"], "T_704");
}

TEST_F(WebViewerTest, CreatorGoneEndsWithItsCode) {
    auto session = open_session();
    auto bob = enter("bob", share(*session));
    session->send_json(FrameType::end, {{"reason", "T_514"}, {"code", "T_514"}});
    EXPECT_EQ(bob->next_text("end")["code"], "T_514");
    EXPECT_EQ(bob->closed_with(), 1000);
}

TEST_F(WebViewerTest, ServesOverTls) {
    auto session = open_session();
    session->send(FrameType::output, "over tls");
    auto token = share(*session);
    net::ssl::context client_tls(net::ssl::context::tls_client);
    client_tls.load_verify_file(config_.web_tls_cert);
    client_tls.set_verify_mode(net::ssl::verify_peer);
    WebClient<TlsStream> bob(secure_->port(), "bob", client_tls);
    bob.join(token);
    EXPECT_EQ(bob.next_text("welcome")["you"], "bob");
    auto snapshot = bob.next();
    ASSERT_TRUE(snapshot && snapshot->binary);
    ScreenState seen(24, 80);
    seen.feed(snapshot->bytes());
    EXPECT_EQ(seen.row_text(0), "over tls");
}

}  // namespace
}  // namespace tandem::broker
