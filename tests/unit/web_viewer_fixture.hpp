// Browser viewers driven for real: a Beast WebSocket client against a small acceptor that hands
// each upgrade to start_web_viewer, in front of the broker of broker_fixture.hpp, whose session
// is played by a raw-frame hook (as the creator's tandem-shell would).
#pragma once

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
          om_(ctx, registry, HookLaunch{}),
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
        http::async_read(
            up->stream, up->buffer, up->request, [this, up](beast::error_code ec, std::size_t) {
                if (ec) return;
                WebIdentity who{std::string(up->request["X-Test-User"]), "127.0.0.1", "test-login"};
                start_web_viewer(std::move(up->stream), std::move(up->request), std::move(who),
                                 ctx_, registry_, om_);
            });
    }

    BrokerContext& ctx_;
    SessionRegistry& registry_;
    WebOmSessions om_;  // no web O&M sessions here: attach is refused (T_220)
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

}  // namespace
}  // namespace tandem::broker
