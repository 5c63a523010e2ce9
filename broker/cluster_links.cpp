#include "cluster_links.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "byte_bridge.hpp"
#include "cluster_tls.hpp"
#include "frame_peer.hpp"
#include "refusal.hpp"
#include "session_registry.hpp"
#include "tandem/frame_codec.hpp"
#include "tandem/json_object.hpp"
#include "tandem/log.hpp"

namespace tandem::broker {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Json = nlohmann::json;

std::string refusal_frame(ErrorCode code) {
    auto reply = refusal(code);
    reply["id"] = 0;
    std::string out;
    encode_frame(out, FrameType::reply, reply.dump(), FramePeer::kMaxPayload);
    return out;
}

// A peer gone without a word (its machine off the network) is noticed in about 11 s rather
// than after the system's two hours.
void keep_alive(tcp::socket& socket) {
    boost::system::error_code ignored;
    socket.set_option(tcp::socket::keep_alive(true), ignored);
    socket.set_option(tcp::no_delay(true), ignored);
    const int idle = 5, interval = 2, count = 3;
    ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
    ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

// Reads frames from a link until the first reply, which it hands to `done` (nullopt when the
// link fails first).
class ReplyReader : public std::enable_shared_from_this<ReplyReader> {
  public:
    ReplyReader(std::shared_ptr<ClusterLinks::TlsStream> link,
                std::function<void(std::optional<Json>)> done)
        : link_(std::move(link)), done_(std::move(done)) {}
    void read() {
        link_->async_read_some(
            net::buffer(buffer_),
            [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                if (ec) return self->finish(std::nullopt);
                self->decoder_.feed(std::string_view(self->buffer_.data(), n));
                while (auto frame = self->decoder_.next()) {
                    if (frame->type != FrameType::reply) continue;
                    return self->finish(parse_json_object(frame->payload));
                }
                if (self->decoder_.error() != FrameDecoder::Error::none)
                    return self->finish(std::nullopt);
                self->read();
            });
    }

  private:
    void finish(std::optional<Json> reply) {
        if (!done_) return;
        auto done = std::move(done_);
        done_ = nullptr;
        boost::system::error_code ignored;
        link_->lowest_layer().close(ignored);
        done(std::move(reply));
    }
    std::shared_ptr<ClusterLinks::TlsStream> link_;
    std::function<void(std::optional<Json>)> done_;
    FrameDecoder decoder_{FramePeer::kMaxPayload};
    std::array<char, 16 * 1024> buffer_{};
};

}  // namespace

ClusterLinks::ClusterLinks(BrokerContext& ctx)
    : ctx_(ctx), tls_(make_cluster_tls(ctx.config, false)) {}

std::optional<std::string> ClusterLinks::holder_elsewhere(std::string_view token,
                                                          const SessionRegistry& registry) const {
    if (ctx_.config.cluster_node.empty()) return std::nullopt;
    auto decoded = ctx_.invites.decode(token, ctx_.clock());
    const auto* claims = std::get_if<InviteClaims>(&decoded);
    if (claims == nullptr || registry.holds_share(claims->share_id)) return std::nullopt;
    try {
        const auto holder = ctx_.store.node_of_share(claims->share_id);
        if (!holder || holder->id == ctx_.config.cluster_node || holder->address.empty())
            return std::nullopt;
        return holder->address;
    } catch (const std::exception& e) {
        log::warn(std::string("cannot look up the node of a share: ") + e.what());
        return std::nullopt;
    }
}

void ClusterLinks::dial(const std::string& address,
                        std::function<void(std::shared_ptr<TlsStream>)> done) {
    const auto host_port = parse_host_port(address);
    if (!host_port) {
        log::warn("cluster: a node's address '" + address + "' is malformed");
        return net::post(ctx_.io, [done = std::move(done)] { done(nullptr); });
    }
    auto link = std::make_shared<TlsStream>(ctx_.io, tls_);
    auto timer = std::make_shared<net::steady_timer>(ctx_.io);
    timer->expires_after(kDialTimeout);
    timer->async_wait([link](boost::system::error_code ec) {
        if (ec) return;
        boost::system::error_code ignored;
        link->lowest_layer().close(ignored);  // the pending step fails, done(nullptr) follows
    });
    auto fail = [address, timer, done](const std::string& why) {
        timer->cancel();
        log::warn("cluster: cannot reach the node at " + address + ": " + why);
        done(nullptr);
    };
    auto resolver = std::make_shared<tcp::resolver>(ctx_.io);
    resolver->async_resolve(
        host_port->first, std::to_string(host_port->second),
        [link, timer, done, fail, resolver](boost::system::error_code ec,
                                            tcp::resolver::results_type endpoints) {
            if (ec) return fail(ec.message());
            net::async_connect(
                link->lowest_layer(), endpoints,
                [link, timer, done, fail](boost::system::error_code ec, const tcp::endpoint&) {
                    if (ec) return fail(ec.message());
                    keep_alive(link->next_layer());
                    link->async_handshake(net::ssl::stream_base::client,
                                          [link, timer, done, fail](boost::system::error_code ec) {
                                              if (ec) return fail("TLS: " + ec.message());
                                              timer->cancel();
                                              done(link);
                                          });
                });
        });
}

void ClusterLinks::relay_viewer(LocalSocket socket, std::string sent, const std::string& address) {
    auto joiner = std::make_shared<LocalSocket>(std::move(socket));
    dial(address, [joiner, sent = std::move(sent)](std::shared_ptr<TlsStream> link) mutable {
        if (!link) {
            // As after a broker restart: the join hook says "reconnecting" and tries again.
            auto answer =
                std::make_shared<std::string>(refusal_frame(ErrorCode::T_717_share_resuming));
            return net::async_write(*joiner, net::buffer(*answer),
                                    [joiner, answer](boost::system::error_code, std::size_t) {
                                        boost::system::error_code ignored;
                                        joiner->close(ignored);
                                    });
        }
        auto bridge = std::make_shared<ByteBridge<LocalSocket, TlsStream>>(joiner, link);
        bridge->start(std::move(sent));
    });
}

void ClusterLinks::preview(const std::string& address, const std::string& token,
                           const std::string& user,
                           std::function<void(std::variant<Json, ErrorCode>)> done) {
    std::string hello;
    encode_frame(
        hello, FrameType::hello,
        Json{{"v", kWireProtocolVersion}, {"role", "preview"}, {"user", user}, {"token", token}}
            .dump(),
        FramePeer::kMaxPayload);
    dial(address, [this, hello = std::move(hello),
                   done = std::move(done)](std::shared_ptr<TlsStream> link) mutable {
        if (!link) return done(ErrorCode::T_717_share_resuming);
        auto sent = std::make_shared<std::string>(std::move(hello));
        auto timer = std::make_shared<net::steady_timer>(ctx_.io);
        timer->expires_after(std::chrono::seconds(5));
        timer->async_wait([link](boost::system::error_code ec) {
            boost::system::error_code ignored;
            if (!ec) link->lowest_layer().close(ignored);
        });
        net::async_write(*link, net::buffer(*sent),
                         [link, sent, timer, done = std::move(done)](boost::system::error_code ec,
                                                                     std::size_t) mutable {
                             if (ec) {
                                 timer->cancel();
                                 return done(ErrorCode::T_717_share_resuming);
                             }
                             auto reader = std::make_shared<ReplyReader>(
                                 link, [timer, done = std::move(done)](std::optional<Json> reply) {
                                     timer->cancel();
                                     if (!reply) return done(ErrorCode::T_717_share_resuming);
                                     if (reply->value("ok", false)) return done(std::move(*reply));
                                     auto code = parse_error_code(reply->value("code", ""));
                                     done(code ? *code : ErrorCode::T_704_share_cancelled);
                                 });
                             reader->read();
                         });
    });
}

}  // namespace tandem::broker
