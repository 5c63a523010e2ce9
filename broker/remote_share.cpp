#include "remote_share.hpp"

#include <boost/asio/write.hpp>

#include "frame_peer.hpp"
#include "tandem/json_object.hpp"
#include "tandem/log.hpp"

namespace tandem::broker {
namespace {

namespace net = boost::asio;
using Json = nlohmann::json;
constexpr std::size_t kMaxOutgoingBytes = 1024 * 1024;  // a browser typing, not a flood

}  // namespace

std::shared_ptr<RemoteShare> RemoteShare::join(BrokerContext& ctx, const std::string& address,
                                               const std::string& token, const std::string& user,
                                               const std::string& from,
                                               std::weak_ptr<RemoteShareViewer> viewer) {
    auto share = std::make_shared<RemoteShare>(std::move(viewer));
    std::string hello;
    encode_frame(hello, FrameType::hello,
                 Json{{"v", kWireProtocolVersion},
                      {"role", "viewer"},
                      {"user", user},
                      {"token", token},
                      {"via", "web"},
                      {"from", from},
                      {"cols", 80},
                      {"rows", 24}}
                     .dump(),
                 FramePeer::kMaxPayload);
    ctx.cluster->dial(address, [share, hello = std::move(hello)](
                                   std::shared_ptr<ClusterLinks::TlsStream> link) mutable {
        if (!link) {
            if (auto viewer = share->viewer_.lock(); viewer && !share->closed_)
                viewer->on_refused(ErrorCode::T_717_share_resuming);
            return;
        }
        share->start(std::move(link), std::move(hello));
    });
    return share;
}

RemoteShare::RemoteShare(std::weak_ptr<RemoteShareViewer> viewer)
    : viewer_(std::move(viewer)), decoder_(FramePeer::kMaxPayload) {}

void RemoteShare::start(std::shared_ptr<ClusterLinks::TlsStream> link, std::string hello) {
    if (closed_) {  // the viewer left while the link was being opened
        boost::system::error_code ignored;
        link->lowest_layer().close(ignored);
        return;
    }
    link_ = std::move(link);
    outgoing_.push_back(std::move(hello));
    write_next();
    read();
}

void RemoteShare::read() {
    link_->async_read_some(net::buffer(buffer_), [self = shared_from_this()](
                                                     boost::system::error_code ec, std::size_t n) {
        if (self->closed_) return;
        if (ec) return self->lost();
        self->decoder_.feed(std::string_view(self->buffer_.data(), n));
        while (auto frame = self->decoder_.next()) {
            try {
                self->on_frame(*frame);
            } catch (const std::exception& e) {
                log::error(std::string("cluster: a frame from the holding node: ") + e.what());
                return self->lost();
            }
            if (self->closed_) return;
        }
        if (self->decoder_.error() != FrameDecoder::Error::none) return self->lost();
        self->read();
    });
}

void RemoteShare::on_frame(Frame& frame) {
    auto viewer = viewer_.lock();
    if (!viewer) return close();
    switch (frame.type) {
        case FrameType::reply: {
            auto reply = parse_json_object(frame.payload);
            if (!reply) return lost();
            if (!admitted_) {
                if (!reply->value("ok", false)) {
                    auto code = parse_error_code(reply->value("code", ""));
                    ended_ = true;
                    viewer->on_refused(code ? *code : ErrorCode::T_704_share_cancelled);
                    return close();
                }
                admitted_ = true;
                return viewer->on_admitted(*reply);
            }
            return viewer->on_reply(*reply);
        }
        case FrameType::output:
            return viewer->send_output(
                std::make_shared<const std::string>(std::move(frame.payload)));
        case FrameType::snapshot:
            return viewer->send_snapshot(
                std::make_shared<const std::string>(std::move(frame.payload)));
        case FrameType::resize: {
            auto size = parse_json_object(frame.payload);
            if (size) viewer->send_resize(size->value("cols", 80), size->value("rows", 24));
            return;
        }
        case FrameType::notice: {
            auto notice = parse_json_object(frame.payload);
            if (notice) viewer->send_notice(*notice);
            return;
        }
        case FrameType::end: {
            auto end = parse_json_object(frame.payload);
            ended_ = true;
            viewer->send_end(end ? *end : Json{{"reason", "ended"}});
            return close();
        }
        default:
            return;  // ping and anything newer
    }
}

void RemoteShare::input(const std::string& bytes) {
    if (admitted_) send(FrameType::input, bytes);
}

void RemoteShare::command(const std::string& cmd, int id) {
    if (admitted_) send(FrameType::command, Json{{"cmd", cmd}, {"id", id}}.dump());
}

void RemoteShare::request_snapshot() {
    if (admitted_) send(FrameType::snapshot, {});
}

void RemoteShare::send(FrameType type, std::string_view payload) {
    if (closed_ || !link_) return;
    if (outgoing_bytes_ + payload.size() > kMaxOutgoingBytes) return lost();
    std::string frame;
    encode_frame(frame, type, payload, FramePeer::kMaxPayload);
    outgoing_bytes_ += frame.size();
    outgoing_.push_back(std::move(frame));
    write_next();
}

void RemoteShare::write_next() {
    if (writing_ || outgoing_.empty() || closed_) return;
    writing_ = true;
    net::async_write(*link_, net::buffer(outgoing_.front()),
                     [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                         self->writing_ = false;
                         if (self->closed_) return;
                         if (ec) return self->lost();
                         self->outgoing_bytes_ -=
                             std::min(self->outgoing_bytes_, self->outgoing_.front().size());
                         self->outgoing_.pop_front();
                         self->write_next();
                     });
}

void RemoteShare::lost() {
    if (closed_) return;
    auto viewer = viewer_.lock();
    const bool admitted = admitted_ && !ended_;
    close();
    if (!viewer) return;
    if (admitted)
        viewer->on_link_lost();
    else if (!ended_)
        viewer->on_refused(ErrorCode::T_717_share_resuming);
}

void RemoteShare::close() {
    if (closed_) return;
    closed_ = true;
    if (link_) {
        boost::system::error_code ignored;
        link_->lowest_layer().shutdown(net::socket_base::shutdown_both, ignored);
        link_->lowest_layer().close(ignored);
    }
}

}  // namespace tandem::broker
