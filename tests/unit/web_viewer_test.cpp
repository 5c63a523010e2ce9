// Browser viewers driven for real: a Beast WebSocket client against a small acceptor that hands
// each upgrade to start_web_viewer, in front of the broker of broker_fixture.hpp, whose session
// is played by a raw-frame hook (as the creator's tandem-shell would).
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <concepts>

#include "broker_fixture.hpp"
#include "tandem/screen_state.hpp"
#include "web_viewer.hpp"

namespace tandem::broker {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Small kernel buffers on both ends, so a browser that stops reading is felt within ~256 KiB
// instead of the megabytes loopback autotuning would absorb.
constexpr int kSmallSocketBuffer = 64 * 1024;

// Stands in for the HTTP session: reads one upgrade request and hands it over as the user the
// request names in X-Test-User (the real server takes the user from the login cookie).
class UpgradeAcceptor {
  public:
    UpgradeAcceptor(BrokerContext& ctx, SessionRegistry& registry, net::ssl::context* tls)
        : ctx_(ctx),
          registry_(registry),
          tls_(tls),
          acceptor_(ctx.io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {}
    unsigned short port() const { return acceptor_.local_endpoint().port(); }
    void start() { accept(); }

  private:
    template <class Stream>
    struct Upgrade {
        Stream stream;
        beast::flat_buffer buffer;
        http::request<http::string_body> request;
    };

    void accept() {
        acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
            if (ec) return;
            socket.set_option(net::socket_base::send_buffer_size(kSmallSocketBuffer));
            if (tls_) {
                auto up = std::make_shared<Upgrade<TlsStream>>(
                    Upgrade<TlsStream>{TlsStream(std::move(socket), *tls_), {}, {}});
                up->stream.async_handshake(net::ssl::stream_base::server,
                                           [this, up](beast::error_code ec) {
                                               if (!ec) read_request(up);
                                           });
            } else {
                read_request(std::make_shared<Upgrade<beast::tcp_stream>>(
                    Upgrade<beast::tcp_stream>{beast::tcp_stream(std::move(socket)), {}, {}}));
            }
            accept();
        });
    }

    template <class Stream>
    void read_request(std::shared_ptr<Upgrade<Stream>> up) {
        http::async_read(up->stream, up->buffer, up->request,
                         [this, up](beast::error_code ec, std::size_t) {
                             if (ec) return;
                             WebIdentity who{std::string(up->request["X-Test-User"]), "127.0.0.1"};
                             start_web_viewer(std::move(up->stream), std::move(up->request),
                                              std::move(who), ctx_, registry_);
                         });
    }

    BrokerContext& ctx_;
    SessionRegistry& registry_;
    net::ssl::context* tls_;
    tcp::acceptor acceptor_;
};

struct Message {
    bool binary = false;
    std::string data;
    char tag() const { return data.empty() ? 0 : data[0]; }
    std::string bytes() const { return data.substr(1); }
};

// A browser: blocking calls on its own io_context, each read bounded by a deadline.
template <class NextLayer>
class WebClient {
  public:
    WebClient(unsigned short port, const std::string& user,
              int receive_buffer = 0) requires std::same_as<NextLayer, beast::tcp_stream>
        : ws_(io_) {
        open(port, user, receive_buffer);
    }
    WebClient(unsigned short port, const std::string& user,
              net::ssl::context& tls) requires std::same_as<NextLayer, TlsStream> : ws_(io_, tls) {
        open(port, user, 0);
    }

    void send(const nlohmann::json& message) { send_raw(message.dump()); }
    void send_raw(const std::string& data, bool binary = false) {
        ws_.binary(binary);
        beast::error_code ec;
        ws_.write(net::buffer(data), ec);
    }
    void join(const std::string& token) { send({{"type", "join"}, {"token", token}}); }

    // The next message, or nullopt when the connection ended (close_code says how) or the
    // deadline passed (the connection is then dropped).
    std::optional<Message> next(std::chrono::milliseconds deadline = 5s) {
        if (ended) return std::nullopt;
        beast::flat_buffer buffer;
        beast::error_code result = net::error::would_block;
        beast::get_lowest_layer(ws_).expires_after(deadline);
        ws_.async_read(buffer, [&](beast::error_code ec, std::size_t) { result = ec; });
        io_.restart();
        io_.run();
        if (result) {
            ended = true;
            if (result == websocket::error::closed) close_code = ws_.reason().code;
            return std::nullopt;
        }
        beast::get_lowest_layer(ws_).expires_never();
        return Message{ws_.got_binary(), beast::buffers_to_string(buffer.data())};
    }
    // The next text message of `type`, skipping others; null when none came.
    nlohmann::json next_text(const std::string& type, std::chrono::milliseconds deadline = 5s) {
        while (auto m = next(deadline)) {
            if (m->binary) continue;
            auto j = nlohmann::json::parse(m->data);
            if (j.value("type", "") == type) return j;
        }
        ADD_FAILURE() << "no \"" << type << "\" message";
        return nullptr;
    }
    // The next notice of `event`, skipping others.
    nlohmann::json next_notice(const std::string& event) {
        for (;;) {
            auto n = next_text("notice");
            if (n.is_null() || n.value("event", "") == event) return n;
        }
    }
    // Reads until the server closes; the close code, or -1 if it never did within the deadline.
    int closed_with(std::chrono::milliseconds deadline = 5s) {
        while (next(deadline)) {
        }
        return close_code.value_or(-1);
    }

    bool ended = false;
    std::optional<int> close_code;  // the server's close code, once it closed

  private:
    void open(unsigned short port, const std::string& user, int receive_buffer) {
        auto& socket = beast::get_lowest_layer(ws_).socket();
        socket.open(tcp::v4());
        if (receive_buffer)
            socket.set_option(net::socket_base::receive_buffer_size(receive_buffer));
        socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
        if constexpr (std::same_as<NextLayer, TlsStream>)
            ws_.next_layer().handshake(net::ssl::stream_base::client);
        ws_.set_option(websocket::stream_base::decorator(
            [user](websocket::request_type& request) { request.set("X-Test-User", user); }));
        ws_.handshake("127.0.0.1:" + std::to_string(port), "/ws");
    }

    net::io_context io_;
    websocket::stream<NextLayer> ws_;
};
using Browser = WebClient<beast::tcp_stream>;

class WebViewerTest : public BrokerTest {
  protected:
    void SetUp() override {
        BrokerTest::SetUp();
        tls_.use_certificate_chain_file(config_.web_tls_cert);
        tls_.use_private_key_file(config_.web_tls_key, net::ssl::context::pem);
        plain_.emplace(*ctx_, *registry_, nullptr);
        secure_.emplace(*ctx_, *registry_, &tls_);
        net::post(io_, [this] {
            plain_->start();
            secure_->start();
        });
    }
    unsigned short port() const { return plain_->port(); }

    // Enters with the invite and returns the browser with its welcome already read.
    std::unique_ptr<Browser> enter(const std::string& user, const std::string& token,
                                   int receive_buffer = 0) {
        auto browser = std::make_unique<Browser>(port(), user, receive_buffer);
        browser->join(token);
        auto welcome = browser->next_text("welcome");
        EXPECT_EQ(welcome.value("you", ""), user) << welcome.dump();
        return browser;
    }

    net::ssl::context tls_{net::ssl::context::tls_server};
    std::optional<UpgradeAcceptor> plain_;
    std::optional<UpgradeAcceptor> secure_;
};

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
    bob->send({{"type", "agree"}});  // only the controller answers requests
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

TEST_F(WebViewerTest, StalledBrowserIsResyncedAndNeverSlowsOthers) {
    auto session = open_session();
    auto token = share(*session);
    auto slow = enter("bob", token, kSmallSocketBuffer);
    auto fast = enter("dave", token);
    const std::string chunk(60000, 'x');
    const int chunks = 200;  // 12 MB, far past the 1 MiB bound and every socket buffer
    const std::string last = "\x1b[2J\x1b[Hend of flood";
    std::thread writer([&] {
        for (int i = 0; i < chunks; ++i) session->send(FrameType::output, chunk);
        session->send(FrameType::output, last);
    });
    std::size_t received = 0;
    const std::size_t total = chunk.size() * chunks + last.size();
    while (received < total) {
        auto m = fast->next(10s);
        ASSERT_TRUE(m) << "fast browser starved after " << received << " bytes";
        if (m->binary && m->tag() == 0x01) received += m->data.size() - 1;
    }
    writer.join();
    EXPECT_EQ(received, total);

    // The stalled browser reads again: it gets what its bounded queue held, then one fresh
    // snapshot that brings it to the current screen.
    std::size_t output_bytes = 0;
    int snapshots = 0;
    std::unique_ptr<ScreenState> seen;
    while (auto m = slow->next(3s)) {
        if (!m->binary) continue;
        if (m->tag() == 0x02) {
            ++snapshots;
            seen = std::make_unique<ScreenState>(24, 80);
        } else {
            output_bytes += m->data.size() - 1;
        }
        if (seen) seen->feed(m->bytes());
    }
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
        EXPECT_EQ(end["text"], user_message(ErrorCode::T_704));
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
