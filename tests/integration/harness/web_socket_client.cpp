#include "harness/web_socket_client.hpp"

#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <concepts>
#include <deque>
#include <functional>

namespace tandem::test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

struct WebSocketClient::Impl {
    virtual ~Impl() = default;
    virtual void send(const std::string& text) = 0;
    virtual void close() = 0;
    // Runs the io loop until there is news (a message or the end) or the deadline passes.
    void pump_until(std::chrono::steady_clock::time_point deadline,
                    const std::function<bool()>& done) {
        while (!done()) {
            const auto now = std::chrono::steady_clock::now();
            if (now >= deadline) return;
            io.restart();
            io.run_one_for(deadline - now);
        }
    }

    net::io_context io;
    net::ssl::context tls{net::ssl::context::tls_client};  // used by the TLS stream only
    HttpReply refusal;
    bool upgraded = false;
    bool ended = false;
    Closed closed;
    std::deque<std::string> texts;
    std::string terminal;  // every binary message's bytes after its tag, in order
};

namespace {

constexpr auto kTimeout = std::chrono::seconds(10);

template <class NextLayer>
struct StreamImpl : WebSocketClient::Impl {
    StreamImpl() requires std::same_as<NextLayer, beast::tcp_stream> : ws(io) {}
    StreamImpl() requires(!std::same_as<NextLayer, beast::tcp_stream>) : ws(io, tls) {}

    void upgrade(std::uint16_t port, const HttpHeaders& headers) {
        ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
            for (const auto& [name, value] : headers) req.set(name, value);
        }));
        websocket::response_type response;
        beast::error_code ec;
        bool finished = false;
        beast::get_lowest_layer(ws).expires_after(kTimeout);
        ws.async_handshake(response, "127.0.0.1:" + std::to_string(port), "/ws",
                           [&](beast::error_code e) {
                               ec = e;
                               finished = true;
                           });
        pump_until(std::chrono::steady_clock::now() + kTimeout, [&] { return finished; });
        refusal.status = static_cast<int>(response.result_int());
        for (const auto& field : response)
            refusal.headers.emplace_back(std::string(field.name_string()),
                                         std::string(field.value()));
        refusal.body = response.body();
        if (!finished || ec) {
            ended = true;
            return;
        }
        upgraded = true;
        beast::get_lowest_layer(ws).expires_never();
        ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
        read();
    }

    void read() {
        ws.async_read(buffer, [this](beast::error_code ec, std::size_t) {
            if (ec) {
                ended = true;
                closed.code = ws.reason().code;
                closed.reason = std::string(ws.reason().reason.data(), ws.reason().reason.size());
                return;
            }
            if (ws.got_text()) {
                texts.push_back(beast::buffers_to_string(buffer.data()));
            } else if (buffer.size() > 0) {
                terminal += beast::buffers_to_string(buffer.data()).substr(1);
            }
            buffer.consume(buffer.size());
            read();
        });
    }

    void send(const std::string& text) override {
        if (ended) return;
        bool finished = false;
        ws.text(true);
        ws.async_write(net::buffer(text), [&](beast::error_code, std::size_t) { finished = true; });
        pump_until(std::chrono::steady_clock::now() + kTimeout, [&] { return finished; });
    }

    void close() override {
        if (ended || !upgraded) return;
        bool finished = false;
        ws.async_close(websocket::close_code::normal, [&](beast::error_code) { finished = true; });
        pump_until(std::chrono::steady_clock::now() + std::chrono::seconds(2),
                   [&] { return finished && ended; });
        beast::get_lowest_layer(ws).close();
        ended = true;
    }

    websocket::stream<NextLayer> ws;
    beast::flat_buffer buffer;
};

}  // namespace

WebSocketClient::WebSocketClient(std::uint16_t port, const std::string& ca_file,
                                 const HttpHeaders& headers) {
    const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
    if (ca_file.empty()) {
        auto impl = std::make_unique<StreamImpl<beast::tcp_stream>>();
        beast::get_lowest_layer(impl->ws).connect(endpoint);
        impl->upgrade(port, headers);
        impl_ = std::move(impl);
        return;
    }
    auto impl = std::make_unique<StreamImpl<beast::ssl_stream<beast::tcp_stream>>>();
    impl->tls.load_verify_file(ca_file);
    impl->ws.next_layer().set_verify_mode(net::ssl::verify_peer);
    impl->ws.next_layer().set_verify_callback(net::ssl::host_name_verification("127.0.0.1"));
    beast::get_lowest_layer(impl->ws).connect(endpoint);
    bool finished = false;
    beast::error_code ec;
    impl->ws.next_layer().async_handshake(net::ssl::stream_base::client, [&](beast::error_code e) {
        ec = e;
        finished = true;
    });
    impl->pump_until(std::chrono::steady_clock::now() + kTimeout, [&] { return finished; });
    if (!finished || ec) {
        impl->ended = true;
    } else {
        impl->upgrade(port, headers);
    }
    impl_ = std::move(impl);
}

WebSocketClient::~WebSocketClient() = default;
WebSocketClient::WebSocketClient(WebSocketClient&&) noexcept = default;
WebSocketClient& WebSocketClient::operator=(WebSocketClient&&) noexcept = default;

bool WebSocketClient::open() const {
    return impl_->upgraded && !impl_->ended;
}

const HttpReply& WebSocketClient::refusal() const {
    return impl_->refusal;
}

void WebSocketClient::send(const nlohmann::json& message) {
    impl_->send(message.dump());
}

std::optional<nlohmann::json> WebSocketClient::next_text(std::chrono::milliseconds deadline) {
    impl_->pump_until(std::chrono::steady_clock::now() + deadline,
                      [&] { return !impl_->texts.empty() || impl_->ended; });
    if (impl_->texts.empty()) return std::nullopt;
    auto text = std::move(impl_->texts.front());
    impl_->texts.pop_front();
    return nlohmann::json::parse(text, nullptr, false);
}

std::optional<WebSocketClient::Closed> WebSocketClient::wait_closed(
    std::chrono::milliseconds deadline) {
    impl_->pump_until(std::chrono::steady_clock::now() + deadline, [&] { return impl_->ended; });
    if (!impl_->ended) return std::nullopt;
    return impl_->closed;
}

bool WebSocketClient::wait_terminal(const std::string& needle, std::chrono::milliseconds deadline) {
    impl_->pump_until(std::chrono::steady_clock::now() + deadline, [&] {
        return impl_->terminal.find(needle) != std::string::npos || impl_->ended;
    });
    return impl_->terminal.find(needle) != std::string::npos;
}

const std::string& WebSocketClient::terminal() const {
    return impl_->terminal;
}

void WebSocketClient::close() {
    impl_->close();
}

}  // namespace tandem::test
