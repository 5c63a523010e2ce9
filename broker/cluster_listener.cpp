#include "cluster_listener.hpp"

#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

#include "byte_bridge.hpp"
#include "cluster_tls.hpp"
#include "frame_peer.hpp"
#include "tandem/errors.hpp"
#include "tandem/frame_codec.hpp"
#include "tandem/json_object.hpp"
#include "tandem/log.hpp"

namespace tandem::broker {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using TlsStream = net::ssl::stream<tcp::socket>;
using LocalSocket = net::local::stream_protocol::socket;
constexpr auto kHelloTimeout = std::chrono::seconds(10);
constexpr std::size_t kMaxHelloBytes = 16 * 1024;  // a hello is a few hundred bytes

// One link from another node: TLS, the first frame, then this broker's own socket.
class ClusterGate : public std::enable_shared_from_this<ClusterGate> {
  public:
    ClusterGate(tcp::socket socket, net::ssl::context& tls, BrokerContext& ctx,
                TcpListener::Slot slot)
        : link_(std::make_shared<TlsStream>(std::move(socket), tls)),
          ctx_(ctx),
          slot_(std::move(slot)),
          timer_(ctx.io) {}

    void run() {
        timer_.expires_after(kHelloTimeout);
        timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
            if (auto self = weak.lock(); self && !ec) self->drop("no hello within 10 s");
        });
        link_->async_handshake(net::ssl::stream_base::server,
                               [self = shared_from_this()](boost::system::error_code ec) {
                                   if (ec) return self->drop("TLS: " + ec.message());
                                   self->read();
                               });
    }

  private:
    void read() {
        link_->async_read_some(
            net::buffer(buffer_),
            [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                if (ec) return self->drop("closed before hello");
                self->decoder_.feed(std::string_view(self->buffer_.data(), n));
                if (auto frame = self->decoder_.next()) return self->on_hello(*frame);
                if (self->decoder_.error() != FrameDecoder::Error::none ||
                    self->decoder_.pending_bytes() > kMaxHelloBytes)
                    return self->drop("protocol error before hello");
                self->read();
            });
    }

    void on_hello(const Frame& frame) {
        auto hello =
            frame.type == FrameType::hello ? parse_json_object(frame.payload) : std::nullopt;
        const std::string role = hello ? hello->value("role", "") : "";
        // A node may relay joins and previews, nothing else: no session, no admin.
        if (role != "viewer" && role != "preview") return drop("not a join");
        (*hello)["relayed"] = true;
        encode_frame(sent_, FrameType::hello,
                     hello->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                     FramePeer::kMaxPayload);
        sent_ += decoder_.take_pending();
        auto local = std::make_shared<LocalSocket>(ctx_.io);
        local->async_connect(
            net::local::stream_protocol::endpoint(ctx_.config.broker_socket),
            [self = shared_from_this(), local](boost::system::error_code ec) {
                if (ec) return self->drop("cannot reach this broker's socket: " + ec.message());
                self->timer_.cancel();
                auto bridge = std::make_shared<ByteBridge<TlsStream, LocalSocket>>(
                    self->link_, local, self->slot_);
                bridge->start(std::move(self->sent_));
            });
    }

    void drop(const std::string& why) {
        timer_.cancel();
        boost::system::error_code ignored;
        link_->lowest_layer().close(ignored);
        log::warn("cluster: link refused: " + why);
    }

    std::shared_ptr<TlsStream> link_;
    BrokerContext& ctx_;
    TcpListener::Slot slot_;
    net::steady_timer timer_;
    FrameDecoder decoder_{FramePeer::kMaxPayload};
    std::array<char, 4096> buffer_{};
    std::string sent_;
};

}  // namespace

ClusterListener::ClusterListener(BrokerContext& ctx)
    : ctx_(ctx),
      tls_(make_cluster_tls(ctx.config, true)),
      listener_(
          ctx.io, "cluster", [] { return kMaxLinks; },
          [this](tcp::socket socket, TcpListener::Slot slot) {
              std::make_shared<ClusterGate>(std::move(socket), tls_, ctx_, std::move(slot))->run();
          }) {
    const auto& listen = ctx.config.cluster_listen;
    const auto host_port = parse_host_port(listen);
    boost::system::error_code ec;
    const auto address =
        host_port ? net::ip::make_address(host_port->first, ec) : net::ip::address();
    if (!host_port || ec)
        throw TandemError(ErrorCode::T_101_bad_config,
                          "cluster.listen '" + listen + "' is not an IP address and port");
    ec = listener_.listen(tcp::endpoint(address, host_port->second));
    if (ec)
        throw TandemError(ErrorCode::T_101_bad_config,
                          "cannot listen on cluster.listen " + listen + ": " + ec.message());
}

std::string ClusterListener::bound_address() const {
    auto url = listener_.bound_url("tls");
    const auto at = url.find("://");
    return at == std::string::npos ? url : url.substr(at + 3);
}

}  // namespace tandem::broker
