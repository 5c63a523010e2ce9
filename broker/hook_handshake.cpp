#include "hook_handshake.hpp"

#include <chrono>

#include <boost/asio/write.hpp>

#include "admin_peer.hpp"
#include "cluster_links.hpp"
#include "frame_peer.hpp"
#include "refusal.hpp"
#include "session_peer.hpp"
#include "tandem/json_object.hpp"
#include "tandem/log.hpp"
#include "viewer_peer.hpp"

namespace tandem::broker {
namespace {

constexpr std::size_t kMaxNameLength = 64;
constexpr std::size_t kMaxClientLength = 128;

bool bounded_string(const nlohmann::json& j, const char* key, std::size_t max) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() && !it->get_ref<const std::string&>().empty() &&
           it->get_ref<const std::string&>().size() <= max;
}

std::string clipped(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return {};
    return it->get<std::string>().substr(0, kMaxClientLength);
}

}  // namespace

HookHandshake::HookHandshake(Socket socket, BrokerContext& ctx, SessionRegistry& registry)
    : socket_(std::move(socket)),
      ctx_(ctx),
      registry_(registry),
      decoder_(FramePeer::kMaxPayload),
      timer_(ctx.io) {}

void HookHandshake::start() {
    timer_.expires_after(std::chrono::seconds(10));
    timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (!ec && self && !self->done_) self->refuse("no hello within 10 s");
    });
    read();
}

void HookHandshake::read() {
    socket_.async_read_some(
        boost::asio::buffer(read_buffer_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
            if (self->done_) return;
            if (ec) return self->refuse("closed before hello");
            self->decoder_.feed(std::string_view(self->read_buffer_.data(), n));
            for (;;) {
                auto frame = self->decoder_.next();
                if (!frame) break;
                if (frame->type == FrameType::ping) continue;
                try {
                    self->on_hello(*frame);
                } catch (const std::exception& e) {
                    log::error(std::string("broker hello error: ") + e.what());
                    self->refuse("internal error");
                }
                return;
            }
            if (self->decoder_.error() != FrameDecoder::Error::none)
                return self->refuse("protocol error before hello");
            self->read();
        });
}

void HookHandshake::on_hello(const Frame& frame) {
    if (frame.type != FrameType::hello) return refuse("first frame must be hello");
    const auto hello = parse_json_object(frame.payload);
    if (!hello || hello->value("v", 0) != kWireProtocolVersion)
        return refuse("bad hello or protocol version");
    const std::string role = hello->value("role", "");
    if (role == "admin") {
        done_ = true;
        timer_.cancel();
        return AdminPeer::begin(std::move(socket_), std::move(decoder_), ctx_, registry_, *hello);
    }
    if (role == "preview") {
        // The invitation page of another node (docs/cluster.md): the share as join() would see
        // it, without joining.
        if (!bounded_string(*hello, "user", kMaxNameLength) ||
            !bounded_string(*hello, "token", InviteCodec::max_token_length))
            return refuse("bad preview hello");
        done_ = true;
        timer_.cancel();
        return answer_preview((*hello)["token"].get<std::string>(), (*hello)["user"]);
    }
    if (!terminal_size_of(*hello)) return refuse("bad hello size");
    if (role == "session") {
        if (!bounded_string(*hello, "session", kMaxNameLength) ||
            !bounded_string(*hello, "user", kMaxNameLength) ||
            !bounded_string(*hello, "account", 2 * kMaxNameLength))
            return refuse("bad session hello");
        SessionInfo info{(*hello)["session"],       (*hello)["user"], (*hello)["account"],
                         clipped(*hello, "client"), (*hello)["cols"], (*hello)["rows"]};
        done_ = true;
        timer_.cancel();
        return SessionPeer::begin(std::move(socket_), std::move(decoder_), ctx_, registry_,
                                  std::move(info));
    }
    if (role == "viewer") {
        if (!bounded_string(*hello, "user", kMaxNameLength) ||
            !bounded_string(*hello, "token", InviteCodec::max_token_length))
            return refuse("bad viewer hello");
        const std::string token = (*hello)["token"];
        // Another node holds the share: the joiner goes there (docs/cluster.md). A join relayed
        // from another node is never relayed again.
        if (ctx_.cluster != nullptr && !hello->value("relayed", false)) {
            if (auto holder = ctx_.cluster->holder_elsewhere(token, registry_)) {
                done_ = true;
                timer_.cancel();
                std::string sent;
                encode_frame(sent, FrameType::hello, frame.payload, FramePeer::kMaxPayload);
                sent += decoder_.take_pending();
                return ctx_.cluster->relay_viewer(std::move(socket_), std::move(sent), *holder);
            }
        }
        // A browser on another node arrives here as a relayed join.
        const std::string via = hello->value("via", "ssh") == "web" ? "web" : "ssh";
        JoinRequest request{(*hello)["user"], via, clipped(*hello, "from")};
        done_ = true;
        timer_.cancel();
        return ViewerPeer::begin(std::move(socket_), std::move(decoder_), ctx_, registry_, token,
                                 std::move(request));
    }
    refuse("unknown role");
}

void HookHandshake::answer_preview(const std::string& token, const std::string& user) {
    auto preview = registry_.preview(token, user);
    nlohmann::json reply;
    if (auto* code = std::get_if<ErrorCode>(&preview)) {
        reply = refusal(*code);
    } else {
        reply = std::get<nlohmann::json>(std::move(preview));
        reply["ok"] = true;
    }
    reply["id"] = 0;
    auto answer = std::make_shared<std::string>();
    encode_frame(*answer, FrameType::reply,
                 reply.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                 FramePeer::kMaxPayload);
    auto socket = std::make_shared<Socket>(std::move(socket_));
    boost::asio::async_write(*socket, boost::asio::buffer(*answer),
                             [socket, answer](const boost::system::error_code&, std::size_t) {
                                 boost::system::error_code ignored;
                                 socket->shutdown(Socket::shutdown_both, ignored);
                                 socket->close(ignored);
                             });
}

void HookHandshake::refuse(const char* why) {
    if (done_) return;
    done_ = true;
    timer_.cancel();
    boost::system::error_code ignored;
    socket_.shutdown(Socket::shutdown_both, ignored);
    socket_.close(ignored);
    log::debug(std::string("broker peer refused: ") + why);
}

}  // namespace tandem::broker
