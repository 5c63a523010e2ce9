// The broker driven over its real Unix socket with raw frames, as hooks will drive it.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "hook_listener.hpp"
#include "tandem/frame_codec.hpp"
#include "tandem/instance.hpp"
#include "tandem/screen_state.hpp"

namespace tandem::broker {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class Client {
  public:
    explicit Client(const std::string& path) {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
        EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    }
    ~Client() { ::close(fd_); }
    void send(FrameType type, std::string_view payload) {
        std::string wire;
        encode_frame(wire, type, payload, 1 << 20);
        send_raw(wire);
    }
    void send_raw(std::string_view wire) {
        while (!wire.empty()) {
            ssize_t n = ::send(fd_, wire.data(), wire.size(), MSG_NOSIGNAL);
            if (n <= 0) return;
            wire.remove_prefix(static_cast<size_t>(n));
        }
    }
    void send_json(FrameType type, const json& j) { send(type, j.dump()); }
    // Next frame of `type`, skipping others (kept in `skipped`). nullopt on timeout/close.
    std::optional<Frame> next(std::optional<FrameType> type = {},
                              std::chrono::milliseconds t = 5s) {
        auto deadline = std::chrono::steady_clock::now() + t;
        for (;;) {
            while (auto f = decoder_.next()) {
                if (!type || f->type == *type) return f;
                skipped.push_back(*f);
            }
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return std::nullopt;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
            char buf[65536];
            ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) {
                closed = true;
                return std::nullopt;
            }
            decoder_.feed(std::string_view(buf, static_cast<size_t>(n)));
        }
    }
    json next_json(FrameType type, std::chrono::milliseconds t = 5s) {
        auto f = next(type, t);
        EXPECT_TRUE(f) << "no frame of type " << int(type);
        return f ? json::parse(f->payload) : json();
    }
    bool closed = false;
    std::vector<Frame> skipped;
    int fd() const { return fd_; }

  private:
    int fd_;
    FrameDecoder decoder_{1 << 20};
};

class BrokerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/tandem-broker-test-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        instance_ = create_instance(dir_ + "/instance");
        config_ = instance_.config;
        config_.broker_socket = dir_ + "/broker.sock";
        config_.web_public_url = "https://bastion.test:8443";
        Store setup = Store::open_existing(config_.store_path);
        auto alice = setup.add_user("alice", false, "");
        auto bob = setup.add_user("bob", false, "");
        auto dave = setup.add_user("dave", false, "");
        setup.add_user("carol", false, "");
        Host host;
        host.name = "web01";
        host.address = "127.0.0.1";
        auto host_id = setup.add_host(host);
        auto account = setup.put_account(host_id, "root", CredentialKind::password, "x");
        for (auto u : {alice, bob, dave}) setup.grant(u, account);
        store_.emplace(Store::open_existing(config_.store_path));
        codec_.emplace(InviteCodec::from_files(config_.invite_signing_key,
                                               config_.invite_verify_key, config_.web_public_url));
        ctx_.emplace(BrokerContext{io_, config_, *store_, *codec_});
        ctx_->clock = [this] { return now_unix() + clock_offset_.load(); };
        registry_.emplace(*ctx_);
        listener_.emplace(*ctx_, *registry_, config_.broker_socket);
        listener_->start();
        thread_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        work_.reset();
        io_.stop();
        thread_.join();
        std::filesystem::remove_all(dir_);
    }

    std::unique_ptr<Client> open_session() {
        auto c = std::make_unique<Client>(config_.broker_socket);
        c->send_json(FrameType::hello, {{"v", 1},
                                        {"role", "session"},
                                        {"session", "s-1"},
                                        {"user", "alice"},
                                        {"account", "root@web01"},
                                        {"cols", 80},
                                        {"rows", 24},
                                        {"client", "ssh 127.0.0.1"}});
        EXPECT_TRUE(c->next_json(FrameType::reply)["ok"].get<bool>());
        return c;
    }
    std::string share(Client& session, std::optional<int> ttl = {}) {
        json cmd = {{"id", 7}, {"cmd", "share"}};
        if (ttl) cmd["ttl"] = *ttl;
        session.send_json(FrameType::command, cmd);
        auto r = session.next_json(FrameType::reply);
        EXPECT_TRUE(r.value("ok", false)) << r.dump();
        EXPECT_EQ(r.value("id", 0), 7);
        EXPECT_EQ(r.value("url", ""), "https://bastion.test:8443/join#" + r.value("token", ""));
        return r.value("token", "");
    }
    std::pair<std::unique_ptr<Client>, json> join(const std::string& user,
                                                  const std::string& token) {
        auto c = std::make_unique<Client>(config_.broker_socket);
        c->send_json(FrameType::hello, {{"v", 1},
                                        {"role", "viewer"},
                                        {"user", user},
                                        {"token", token},
                                        {"from", "127.0.0.1"},
                                        {"cols", 80},
                                        {"rows", 24}});
        auto reply = c->next_json(FrameType::reply);
        return {std::move(c), reply};
    }

    std::string dir_;
    Instance instance_;
    Config config_;
    std::optional<Store> store_;
    std::optional<InviteCodec> codec_;
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
        io_.get_executor()};
    std::optional<BrokerContext> ctx_;
    std::optional<SessionRegistry> registry_;
    std::optional<HookListener> listener_;
    std::thread thread_;
    std::atomic<std::int64_t> clock_offset_{0};
};

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
    std::thread writer([&] {
        for (int i = 0; i < chunks; ++i) session->send(FrameType::output, chunk);
    });
    std::size_t received = 0;
    while (received < chunk.size() * chunks) {
        auto f = fast->next(FrameType::output, 10s);
        ASSERT_TRUE(f) << "fast viewer starved after " << received << " bytes";
        received += f->payload.size();
    }
    writer.join();
    EXPECT_EQ(received, chunk.size() * chunks);
    // The stalled viewer now reads: it is brought up to date with a fresh snapshot.
    int snapshots = 0;
    while (auto f = slow->next(std::nullopt, 3s))
        if (f->type == FrameType::snapshot) ++snapshots;
    EXPECT_GE(snapshots, 2);  // the join snapshot and at least one resync
}

TEST_F(BrokerTest, GapFromTheHookRepaintsViewers) {
    auto session = open_session();
    auto [bob, w] = join("bob", share(*session));
    ASSERT_TRUE(bob->next(FrameType::snapshot));
    session->send(FrameType::output, "before the gap\r\n");
    session->send(FrameType::gap, "");
    session->send(FrameType::output, "\x1b[2J\x1b[Hafter the gap");
    auto repaint = bob->next(FrameType::snapshot);
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
