#include "web_listener.hpp"

#include <sys/stat.h>

#include "tandem/log.hpp"

namespace tandem::broker {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

PublicOrigin origin_from(const Config& config) {
    auto origin = parse_public_origin(config.web_public_url);
    if (!origin)
        throw TandemError(ErrorCode::T_101_bad_config,
                          "web.public_url '" + config.web_public_url + "' is not a usable URL");
    return *origin;
}

TrustedProxies proxies_from(const Config& config) {
    auto proxies = TrustedProxies::parse(config.web_trusted_proxies);
    if (!proxies)
        throw TandemError(ErrorCode::T_101_bad_config,
                          "web.trusted_proxies '" + config.web_trusted_proxies +
                              "' is not a list of addresses and CIDRs");
    return *proxies;
}

net::ssl::context make_tls(const Config& config) {
    net::ssl::context tls(net::ssl::context::tls_server);
    boost::system::error_code ec;
    tls.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                        net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                        net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use,
                    ec);
    tls.use_certificate_chain_file(config.web_tls_cert, ec);
    if (ec)
        throw TandemError(ErrorCode::T_101_bad_config,
                          "cannot load web.tls_cert " + config.web_tls_cert + ": " + ec.message());
    tls.use_private_key_file(config.web_tls_key, net::ssl::context::pem, ec);
    if (ec)
        throw TandemError(ErrorCode::T_101_bad_config,
                          "cannot load web.tls_key " + config.web_tls_key + ": " + ec.message());
    return tls;
}

tcp::endpoint resolve_listen(net::io_context& io, const std::string& listen) {
    const auto host_port = parse_host_port(listen);
    if (!host_port)
        throw TandemError(ErrorCode::T_101_bad_config, "web.listen '" + listen + "' is malformed");
    boost::system::error_code ec;
    tcp::resolver resolver(io);
    const auto results = resolver.resolve(host_port->first, std::to_string(host_port->second),
                                          tcp::resolver::passive, ec);
    if (ec || results.empty())
        throw TandemError(ErrorCode::T_101_bad_config,
                          "cannot resolve web.listen '" + listen + "'");
    return results.begin()->endpoint();
}

}  // namespace

WebListener::WebListener(BrokerContext& ctx, SessionRegistry& registry, WebOmSessions& om)
    : ctx_(ctx),
      origin_(origin_from(ctx.config)),
      proxies_(proxies_from(ctx.config)),
      headers_(origin_, !ctx.config.web_plain_http),
      assets_(ctx.config.web_assets),
      logins_(ctx.config.web_login_ttl, ctx.config.web_login_max_age, 10000, &ctx.store),
      sockets_(ctx.config.web_max_websockets_per_user),
      login_(ctx, logins_, sockets_, origin_.tls),
      routes_(ctx, registry, om, origin_, assets_, login_),
      tls_(ctx.config.web_plain_http ? std::nullopt
                                     : std::optional<net::ssl::context>(make_tls(ctx.config))),
      services_{ctx, registry, routes_, headers_, tls_ ? &*tls_ : nullptr, sockets_, proxies_, om},
      listener_(
          ctx.io, "web",
          [&ctx] { return static_cast<std::size_t>(ctx.config.web_max_connections); },
          [this](net::ip::tcp::socket socket, TcpListener::Slot slot) {
              serve_web_connection(std::move(socket), services_, std::move(slot));
          }),
      recheck_(ctx.io) {
    const auto endpoint = resolve_listen(ctx.io, ctx.config.web_listen);
    if (const auto ec = listener_.listen(endpoint))
        throw TandemError(
            ErrorCode::T_101_bad_config,
            "cannot listen on web.listen " + ctx.config.web_listen + ": " + ec.message());
    struct stat st {};
    if (::stat(ctx.config.web_assets.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        log::warn("web.assets " + ctx.config.web_assets +
                  " is not a directory: the web pages will answer 404");
}

WebListener::~WebListener() {
    stop();
}

void WebListener::stop() {
    listener_.stop();
    recheck_.cancel();
    login_.stop();
}

void WebListener::recheck_logins() {
    recheck_.expires_after(std::chrono::milliseconds(500));
    recheck_.async_wait([this](boost::system::error_code ec) {
        if (ec || !listener_.listening()) return;
        try {
            login_.recheck();
        } catch (const std::exception& e) {
            log::error(std::string("web: rechecking logins: ") + e.what());
        }
        recheck_logins();
    });
}

std::string WebListener::bound_url() const {
    return listener_.bound_url(tls_ ? "https" : "http");
}

}  // namespace tandem::broker
