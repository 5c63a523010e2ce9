#include "metrics_listener.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "metrics_text.hpp"
#include "tandem/log.hpp"

namespace tandem::broker {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::size_t kMaxConnections = 16;  // scrapers are few; descriptors are shared
constexpr std::uint32_t kMaxHeader = 4096;
constexpr auto kTimeout = std::chrono::seconds(5);

// One scrape: read a request head (no body accepted), answer, close.
class MetricsConnection : public std::enable_shared_from_this<MetricsConnection> {
  public:
    MetricsConnection(tcp::socket socket, const MetricsListener& listener,
                      std::shared_ptr<void> slot)
        : stream_(std::move(socket)), listener_(listener), slot_(std::move(slot)) {
        parser_.header_limit(kMaxHeader);
        parser_.body_limit(0);
    }

    void run() {
        stream_.expires_after(kTimeout);
        http::async_read(
            stream_, buffer_, parser_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

  private:
    void on_read(beast::error_code ec) {
        MetricsListener::Answer answer;
        if (ec) {
            if (ec == http::error::end_of_stream || ec == beast::error::timeout) return;
            answer = {400, "text/plain; charset=utf-8", "bad request\n"};
        } else {
            const auto& request = parser_.get();
            answer = listener_.answer(std::string(request.method_string()),
                                      std::string(request.target()));
        }
        response_.result(static_cast<unsigned>(answer.status));
        response_.version(11);
        response_.set(http::field::server, "tandem");
        response_.set(http::field::content_type, answer.content_type);
        response_.set(http::field::cache_control, "no-store");
        response_.keep_alive(false);
        response_.body() = std::move(answer.body);
        response_.prepare_payload();
        http::async_write(stream_, response_,
                          [self = shared_from_this()](beast::error_code, std::size_t) {
                              beast::error_code ignored;
                              self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
                          });
    }

    beast::tcp_stream stream_;
    const MetricsListener& listener_;
    std::shared_ptr<void> slot_;
    beast::flat_buffer buffer_{kMaxHeader};
    http::request_parser<http::empty_body> parser_;
    http::response<http::string_body> response_;
};

}  // namespace

MetricsListener::MetricsListener(BrokerContext& ctx, const SessionRegistry& registry,
                                 std::vector<HealthCheck> checks)
    : ctx_(ctx),
      registry_(registry),
      checks_(std::move(checks)),
      listener_(
          ctx.io, "metrics", [] { return kMaxConnections; },
          [this](tcp::socket socket, TcpListener::Slot slot) {
              std::make_shared<MetricsConnection>(std::move(socket), *this, std::move(slot))->run();
          }) {
    const auto& listen = ctx.config.metrics_listen;
    const auto host_port = parse_host_port(listen);
    boost::system::error_code ec;
    const auto address =
        host_port ? net::ip::make_address(host_port->first, ec) : net::ip::address();
    if (!host_port || ec)
        throw TandemError(ErrorCode::T_101_bad_config,
                          "metrics.listen '" + listen + "' is not an IP address and port");
    const tcp::endpoint endpoint(address, host_port->second);
    ec = listener_.listen(endpoint);
    if (ec)
        throw TandemError(ErrorCode::T_101_bad_config,
                          "cannot listen on metrics.listen " + listen + ": " + ec.message());
    if (!address.is_loopback())
        log::warn("metrics.listen " + listen +
                  " is not a loopback address: anyone who reaches it sees the broker's figures");
}

MetricsListener::~MetricsListener() {
    stop();
}

void MetricsListener::stop() {
    listener_.stop();
}

std::string MetricsListener::bound_url() const {
    return listener_.bound_url("http");
}

MetricsListener::Answer MetricsListener::answer(const std::string& method,
                                                const std::string& target) const {
    if (target != "/healthz" && target != "/metrics") return {};
    if (method != "GET") return {405, "text/plain; charset=utf-8", "only GET\n"};
    if (target == "/metrics")
        return {200, "text/plain; version=0.0.4; charset=utf-8",
                metrics_text(ctx_.metrics, registry_)};
    nlohmann::json report = nlohmann::json::object();
    bool healthy = true;
    for (const auto& check : checks_) {
        bool ok = false;
        try {
            ok = check.ok();
        } catch (const std::exception& e) {
            log::warn("health check " + check.name + " failed: " + e.what());
        }
        report[check.name] = ok ? "ok" : "failing";
        healthy = healthy && ok;
    }
    return {
        healthy ? 200 : 503, "application/json",
        nlohmann::json{{"status", healthy ? "ok" : "failing"}, {"checks", report}}.dump() + "\n"};
}

}  // namespace tandem::broker
