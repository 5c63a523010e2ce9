#include "web_http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <chrono>
#include <optional>
#include <type_traits>

#include "tandem/log.hpp"
#include "web_viewer.hpp"

namespace tandem::broker {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

constexpr auto kHandshakeTimeout = 10s;
constexpr auto kReadTimeout = 30s;  // a whole request, and the wait for the next one
constexpr auto kWriteTimeout = 30s;
constexpr auto kShutdownTimeout = 5s;
constexpr std::uint32_t kMaxHeader = 8192;

std::string_view view(beast::string_view s) {
    return {s.data(), s.size()};
}

std::string address_text(const net::ip::address& address) {
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6()).to_string();
    return address.to_string();
}

template <class Stream>
class WebHttpSession : public std::enable_shared_from_this<WebHttpSession<Stream>> {
  public:
    template <class... StreamArgs>
    WebHttpSession(WebServices& web, std::shared_ptr<void> slot, std::string peer,
                   StreamArgs&&... args)
        : web_(web),
          slot_(std::move(slot)),
          peer_(std::move(peer)),
          stream_(std::forward<StreamArgs>(args)...) {}

    void run() {
        net::dispatch(stream_.get_executor(),
                      beast::bind_front_handler(&WebHttpSession::start, this->shared_from_this()));
    }

  private:
    static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

    beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream_); }

    void start() {
        if constexpr (kTls) {
            tcp().expires_after(kHandshakeTimeout);
            stream_.async_handshake(
                net::ssl::stream_base::server,
                beast::bind_front_handler(&WebHttpSession::on_handshake, this->shared_from_this()));
        } else {
            read_head();
        }
    }

    void on_handshake(beast::error_code ec) {
        if (ec) {
            log::debug("web: TLS handshake with " + peer_ + " failed: " + ec.message());
            return;
        }
        read_head();
    }

    void read_head() {
        parser_.emplace();
        parser_->header_limit(kMaxHeader);
        parser_->body_limit(kMaxRequestBody);
        tcp().expires_after(kReadTimeout);
        http::async_read_header(
            stream_, buffer_, *parser_,
            beast::bind_front_handler(&WebHttpSession::on_head, this->shared_from_this()));
    }

    void on_head(beast::error_code ec, std::size_t) {
        if (ec == http::error::end_of_stream) return close();
        if (ec == http::error::header_limit) return reject(431, "Request header too large");
        if (ec == http::error::body_limit) return reject(413, "Request body too large");
        if (ec == http::error::partial_message) return;
        if (ec && ec.category() == http::make_error_code(http::error::bad_target).category())
            return reject(400, "Malformed request");
        if (ec) return;  // timeout or reset: nobody to answer

        const auto& req = parser_->get();
        version_ = req.version();
        keep_alive_ = req.keep_alive();
        method_ = std::string(req.method_string());
        const std::string_view target = view(req.target());
        const auto q = target.find('?');
        path_ = std::string(target.substr(0, q));
        query_ = q == std::string_view::npos ? std::string() : std::string(target.substr(q + 1));
        std::vector<std::string_view> forwarded;
        for (auto [it, end] = req.equal_range("X-Forwarded-For"); it != end; ++it)
            forwarded.push_back(view(it->value()));
        client_ = client_address(peer_, forwarded, web_.proxies);
        if (path_.empty() || path_.front() != '/') return reject(400, "Malformed request");

        if (auto refusal = web_.routes.screen_head(method_, path_, view(req[http::field::origin])))
            return send(std::move(*refusal));
        if (parser_->is_done()) return handle();
        http::async_read(
            stream_, buffer_, *parser_,
            beast::bind_front_handler(&WebHttpSession::on_body, this->shared_from_this()));
    }

    void on_body(beast::error_code ec, std::size_t) {
        if (ec == http::error::body_limit) return reject(413, "Request body too large");
        if (ec) return;
        handle();
    }

    void handle() {
        auto& req = parser_->get();
        WebRequest request;
        request.method = method_;
        request.path = path_;
        request.query = query_;
        request.cookie = std::string(req[http::field::cookie]);
        request.content_type = std::string(req[http::field::content_type]);
        request.body = std::move(req.body());
        request.client = client_;
        request.websocket_upgrade = beast::websocket::is_upgrade(req);

        // Called at most once, now or from the io thread later (a login's password check).
        auto answered = std::make_shared<bool>(false);
        Respond respond = [self = this->shared_from_this(), answered](WebResponse r) {
            if (*answered) return;
            *answered = true;
            self->send(std::move(r));
        };
        if (auto login = web_.routes.handle(request, respond)) hand_over(*login);
    }

    void hand_over(const LoginSessions::Login& login) {
        // The viewer keeps this connection's slot under the listener's cap, and counts
        // towards its user's own cap.
        auto lease = web_.sockets.open(login.user, login.id, slot_);
        if (!lease) {
            log::warn("web viewer of " + login.user + " from " + client_ +
                      " refused: too many open");
            auto r = error_response(429, ErrorCode::T_208_too_many_websockets);
            r.close = true;
            return send(std::move(r));
        }
        slot_.reset();
        log::info("web viewer connection: " + login.user + " from " + client_);
        tcp().expires_never();  // the viewer keeps its own timeouts
        auto request = parser_->release();
        try {
            start_web_viewer(std::move(stream_), std::move(request),
                             WebIdentity{login.user, client_, login.id}, web_.ctx, web_.registry,
                             web_.om, std::move(lease));
        } catch (const std::exception& e) {
            log::error(std::string("web viewer did not start: ") + e.what());
        }
    }

    void reject(unsigned status, std::string text) {
        auto r = text_response(status, std::move(text));
        r.close = true;
        send(std::move(r));
    }

    void send(WebResponse r) {
        response_ = {};
        response_.version(version_);
        response_.result(r.status);
        const auto& security = r.cacheable ? web_.headers.for_asset() : web_.headers.for_page();
        for (const auto& [name, value] : security) response_.set(name, value);
        for (const auto& [name, value] : r.headers) response_.insert(name, value);
        if (!r.content_type.empty()) response_.set(http::field::content_type, r.content_type);
        response_.body() = std::move(r.body);
        const bool close_after = r.close || !keep_alive_;
        response_.keep_alive(!close_after);
        response_.prepare_payload();
        // The path only, cut short: a query or a long path could carry whatever a user pasted.
        log::debug("web: " + method_ + " " + path_.substr(0, 64) + " " + std::to_string(r.status) +
                   " " + client_);
        tcp().expires_after(kWriteTimeout);
        http::async_write(stream_, response_,
                          beast::bind_front_handler(&WebHttpSession::on_write,
                                                    this->shared_from_this(), close_after));
    }

    void on_write(bool close_after, beast::error_code ec, std::size_t) {
        if (ec) return;
        if (close_after) return close();
        read_head();
    }

    void close() {
        if constexpr (kTls) {
            tcp().expires_after(kShutdownTimeout);
            stream_.async_shutdown([self = this->shared_from_this()](
                                       beast::error_code) { /* closes on destruction */ });
        } else {
            beast::error_code ec;
            tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
        }
    }

    WebServices& web_;
    std::shared_ptr<void> slot_;
    std::string peer_;
    Stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http::response<http::string_body> response_;  // one response at a time
    unsigned version_ = 11;
    bool keep_alive_ = false;
    std::string method_;
    std::string path_;
    std::string query_;
    std::string client_;
};

}  // namespace

void serve_web_connection(tcp::socket socket, WebServices& services, std::shared_ptr<void> slot) {
    beast::error_code ec;
    const auto peer = socket.remote_endpoint(ec);
    const std::string address = ec ? std::string("unknown") : address_text(peer.address());
    if (services.tls) {
        std::make_shared<WebHttpSession<beast::ssl_stream<beast::tcp_stream>>>(
            services, std::move(slot), address, std::move(socket), *services.tls)
            ->run();
    } else {
        std::make_shared<WebHttpSession<beast::tcp_stream>>(services, std::move(slot), address,
                                                            std::move(socket))
            ->run();
    }
}

}  // namespace tandem::broker
