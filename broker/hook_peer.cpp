#include "hook_peer.hpp"

#include <boost/asio/write.hpp>
#include <chrono>

#include "tandem/log.hpp"

namespace tandem::broker {
namespace {

constexpr std::size_t kMaxNameLength = 64;

bool bounded_string(const nlohmann::json& j, const char* key, std::size_t max) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() && !it->get_ref<const std::string&>().empty() &&
           it->get_ref<const std::string&>().size() <= max;
}

bool valid_size(const nlohmann::json& j) {
    auto ok = [&](const char* k) {
        auto it = j.find(k);
        return it != j.end() && it->is_number_integer() && it->get<int>() >= 1 &&
               it->get<int>() <= 1000;
    };
    return ok("cols") && ok("rows");
}

nlohmann::json parse_object(const std::string& payload) {
    auto j = nlohmann::json::parse(payload, nullptr, false);
    return j.is_object() ? j : nlohmann::json();
}

}  // namespace

HookPeer::HookPeer(Socket socket, BrokerContext& ctx, SessionRegistry& registry)
    : socket_(std::move(socket)), ctx_(ctx), registry_(registry), hello_timer_(ctx.io) {}

void HookPeer::start() {
    hello_timer_.expires_after(std::chrono::seconds(10));
    hello_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (!ec && self && self->role_ == Role::unknown) self->shut("no hello within 10 s");
    });
    read();
}

void HookPeer::read() {
    socket_.async_read_some(
        boost::asio::buffer(read_buffer_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
            if (ec) {
                self->shut(ec == boost::asio::error::eof ? "closed" : ec.message());
                return;
            }
            self->decoder_.feed(std::string_view(self->read_buffer_.data(), n));
            try {
                while (!self->closed_) {
                    auto frame = self->decoder_.next();
                    if (!frame) break;
                    self->handle(*frame);
                }
            } catch (const std::exception& e) {
                // One connection's fault never takes the daemon down.
                log::error(std::string("broker peer error: ") + e.what());
                self->shut("internal error");
                return;
            }
            if (self->decoder_.error() != FrameDecoder::Error::none) {
                self->shut(std::string("protocol error: ") + to_string(self->decoder_.error()));
                return;
            }
            if (!self->closed_) self->read();
        });
}

void HookPeer::handle(Frame& frame) {
    if (frame.type == FrameType::ping) return;
    switch (role_) {
        case Role::unknown:
            if (frame.type != FrameType::hello) return shut("first frame must be hello");
            return on_hello(parse_object(frame.payload));
        case Role::session:
            return on_session_frame(frame);
        case Role::viewer:
            return on_viewer_frame(frame);
    }
}

void HookPeer::on_hello(const nlohmann::json& hello) {
    hello_timer_.cancel();
    if (hello.is_null() || hello.value("v", 0) != kWireProtocolVersion)
        return shut("bad hello or protocol version");
    const std::string role = hello.value("role", "");
    if (role == "session") {
        if (!bounded_string(hello, "session", kMaxNameLength) ||
            !bounded_string(hello, "user", kMaxNameLength) ||
            !bounded_string(hello, "account", 2 * kMaxNameLength) || !valid_size(hello))
            return shut("bad session hello");
        SessionInfo info{hello["session"],          hello["user"], hello["account"],
                         hello.value("client", ""), hello["cols"], hello["rows"]};
        if (info.client.size() > 128) info.client.resize(128);
        role_ = Role::session;
        session_id_ = info.id;
        session_ = registry_.open(info, shared_from_this());
        return reply({{"id", 0}, {"ok", true}});
    }
    if (role == "viewer") {
        if (!bounded_string(hello, "user", kMaxNameLength) ||
            !bounded_string(hello, "token", InviteCodec::max_token_length) || !valid_size(hello))
            return shut("bad viewer hello");
        JoinRequest request{hello["user"], "ssh", hello.value("from", "")};
        if (request.from.size() > 128) request.from.resize(128);
        role_ = Role::viewer;
        auto admitted =
            registry_.join(hello["token"].get<std::string>(), request, shared_from_this());
        if (auto* code = std::get_if<ErrorCode>(&admitted)) {
            reply({{"id", 0},
                   {"ok", false},
                   {"code", std::string(error_info(*code).id)},
                   {"text", user_message(*code)}});
            close_after_flush_ = true;
            if (!writing_) write_next();
            return;
        }
        auto& admission = std::get<SessionRegistry::Admission>(admitted);
        session_ = admission.session;
        participant_ = admission.participant;
        auto welcome = admission.session->welcome();
        welcome["id"] = 0;
        reply(welcome);
        admission.session->send_snapshot(participant_);
        return;
    }
    shut("unknown role");
}

void HookPeer::on_session_frame(Frame& frame) {
    auto session = session_.lock();
    if (!session) return shut("session gone");
    switch (frame.type) {
        case FrameType::output:
            session->on_output(frame.payload);
            return;
        case FrameType::gap:
            session->on_gap(frame.payload);
            return;
        case FrameType::resize: {
            auto j = parse_object(frame.payload);
            if (valid_size(j)) session->on_resize(j["cols"], j["rows"]);
            return;
        }
        case FrameType::command: {
            auto j = parse_object(frame.payload);
            if (j.is_null()) return shut("bad command");
            auto answer = session->on_command(j);
            answer["id"] = j.value("id", 0);
            reply(answer);
            return;
        }
        case FrameType::end: {
            auto j = parse_object(frame.payload);
            std::optional<ErrorCode> code;
            if (j.is_object() && j.value("code", "") == "T_514") code = ErrorCode::T_514;
            std::string reason = j.is_object() ? j.value("reason", "ended") : "ended";
            if (reason.size() > 64) reason.resize(64);
            registry_.close(session_id_, reason, code);
            session_.reset();
            return shut("session ended");
        }
        default:
            return shut("unexpected frame from session hook");
    }
}

void HookPeer::on_viewer_frame(Frame& frame) {
    auto session = session_.lock();
    if (!session) return;
    switch (frame.type) {
        case FrameType::input:
            session->on_viewer_input(participant_, frame.payload);
            return;
        case FrameType::command: {
            auto j = parse_object(frame.payload);
            if (j.is_null()) return shut("bad command");
            auto answer = session->on_viewer_command(participant_, j);
            answer["id"] = j.value("id", 0);
            if (!closed_) reply(answer);
            return;
        }
        case FrameType::resize:
            return;  // viewers never resize the host's terminal
        default:
            return shut("unexpected frame from viewer");
    }
}

void HookPeer::reply(const nlohmann::json& body) {
    enqueue(FrameType::reply, std::make_shared<const std::string>(body.dump()), false);
}

void HookPeer::send_output(const std::shared_ptr<const std::string>& bytes) {
    if (resync_pending_) return;  // a fresh snapshot will cover it
    if (queued_bytes_ + bytes->size() > kViewerQueueBytes) {
        // Behind: drop the queued output (not the frame being written) and resync when drained.
        std::erase_if(queue_, [this](const Outgoing& out) {
            if (out.droppable) queued_bytes_ -= out.payload->size() + 5;
            return out.droppable;
        });
        resync_pending_ = true;
        ++resyncs_;
        if (!writing_) write_next();
        return;
    }
    enqueue(FrameType::output, bytes, true);
}

void HookPeer::send_snapshot(const std::string& bytes) {
    enqueue(FrameType::snapshot, std::make_shared<const std::string>(bytes), true);
}

void HookPeer::send_resize(int cols, int rows) {
    enqueue(
        FrameType::resize,
        std::make_shared<const std::string>(nlohmann::json{{"cols", cols}, {"rows", rows}}.dump()),
        false);
}

void HookPeer::send_notice(const nlohmann::json& notice) {
    enqueue(FrameType::notice, std::make_shared<const std::string>(notice.dump()), false);
}

void HookPeer::send_end(const nlohmann::json& end) {
    session_.reset();
    enqueue(FrameType::end, std::make_shared<const std::string>(end.dump()), false);
    close_after_flush_ = true;
    if (!writing_) write_next();
}

void HookPeer::send_input(const std::string& bytes) {
    enqueue(FrameType::input, std::make_shared<const std::string>(bytes), false);
}

void HookPeer::enqueue(FrameType type, std::shared_ptr<const std::string> payload, bool droppable) {
    if (closed_) return;
    const std::size_t bound = role_ == Role::session ? kHookQueueBytes : kViewerQueueBytes * 4;
    if (queued_bytes_ + payload->size() > bound) return shut("peer does not read");
    Outgoing out{{}, std::move(payload), droppable};
    const auto length = static_cast<std::uint32_t>(out.payload->size() + 1);
    out.header = {static_cast<char>(length >> 24), static_cast<char>(length >> 16),
                  static_cast<char>(length >> 8), static_cast<char>(length),
                  static_cast<char>(type)};
    queued_bytes_ += out.payload->size() + 5;
    queue_.push_back(std::move(out));
    if (!writing_) write_next();
}

void HookPeer::write_next() {
    if (closed_) return;
    if (queue_.empty()) {
        if (close_after_flush_) return shut("flushed");
        if (auto session = session_.lock(); resync_pending_ && session) {
            resync_pending_ = false;
            session->send_snapshot(participant_);
        }
        return;
    }
    writing_ = true;
    in_flight_ = std::move(queue_.front());
    queue_.pop_front();
    std::array<boost::asio::const_buffer, 2> buffers = {boost::asio::buffer(in_flight_->header),
                                                        boost::asio::buffer(*in_flight_->payload)};
    boost::asio::async_write(
        socket_, buffers,
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
            self->writing_ = false;
            self->queued_bytes_ -= self->in_flight_->payload->size() + 5;
            self->in_flight_.reset();
            if (ec) return self->shut(ec.message());
            self->write_next();
        });
}

void HookPeer::shut(const std::string& why) {
    if (closed_) return;
    closed_ = true;
    hello_timer_.cancel();
    boost::system::error_code ignored;
    socket_.shutdown(Socket::shutdown_both, ignored);
    socket_.close(ignored);
    log::debug("broker peer closed: " + why);
    auto session = session_.lock();
    if (role_ == Role::session && session) {
        // The hook vanished without saying goodbye: the session is gone for the broker.
        registry_.close(session_id_, "session hook disconnected", std::nullopt);
    } else if (role_ == Role::viewer && session) {
        session->on_viewer_gone(participant_);
    }
    session_.reset();
    queue_.clear();  // an aborted write keeps in_flight_ until its handler runs
    queued_bytes_ = in_flight_ ? in_flight_->payload->size() + 5 : 0;
}

}  // namespace tandem::broker
