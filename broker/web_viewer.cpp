#include "web_viewer.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "cluster_links.hpp"
#include "operator_roles.hpp"
#include "remote_share.hpp"
#include "tandem/log.hpp"
#include "tandem/session_command.hpp"
#include "viewer_outbox.hpp"
#include "viewer_peer.hpp"
#include "web_headers.hpp"

namespace tandem::broker {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace http = beast::http;
using nlohmann::json;

namespace {

// The same bounds as an SSH invitee's (ViewerPeer): droppable output, then everything else.
constexpr std::size_t kQueueBytes = ViewerPeer::kQueueBytes;
constexpr std::size_t kHardQueueBytes = ViewerPeer::kHardQueueBytes;
constexpr std::size_t kMaxMessage = 64 * 1024;
constexpr auto kJoinTimeout = std::chrono::seconds(10);
// Message kinds in the outbox. Binary messages start with a tag byte (docs/web-protocol.md);
// the tags are static so a write in flight never points into anything that moves.
constexpr int kText = 0;
constexpr int kOutput = 1;
constexpr int kSnapshot = 2;
constexpr std::array<char, 3> kBinaryTag = {0x00, 0x01, 0x02};

std::string dump(const json& j) {
    // Replace rather than throw on invalid UTF-8: a notice must never take the loop down.
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

// One browser viewer over a WebSocket on NextLayer (plain or TLS). Lives as long as one of its
// asynchronous operations does, or the LiveSession holds it as a participant.
template <class NextLayer>
class WebSocketViewer : public std::enable_shared_from_this<WebSocketViewer<NextLayer>>,
                        public RemoteShareViewer,
                        public ClosableViewer {
  public:
    WebSocketViewer(NextLayer stream, WebIdentity who, BrokerContext& ctx,
                    SessionRegistry& registry, WebOmSessions& om)
        : ws_(std::move(stream)),
          who_(std::move(who)),
          ctx_(ctx),
          registry_(registry),
          om_sessions_(om),
          join_timer_(ctx.io) {}

    void run(http::request<http::string_body> request);

    void send_output(const std::shared_ptr<const std::string>& bytes) override;
    void send_snapshot(const std::shared_ptr<const std::string>& bytes) override;
    void send_resize(int cols, int rows) override;
    void send_notice(const json& notice) override;
    void send_end(const json& end) override;

    void on_admitted(const json& welcome) override;
    void on_refused(ErrorCode code) override;
    void on_reply(const json& reply) override;
    void on_link_lost() override;

    void close_now(const std::string& reason) override;
    void hold(std::shared_ptr<OpenWebSockets::Lease> lease) { lease_ = std::move(lease); }

  private:
    // A browser is an invitee (joined), a web O&M session's creator (attached), or an admin or
    // auditor watching any live session read-only (watching).
    // joining: waiting for another node's answer (a share that node holds).
    enum class State { awaiting_join, joining, joined, attached, watching, finishing };

    void read();
    void on_message();
    void on_join(const json& message);
    void refuse(ErrorCode code);
    void on_attach(const json& message);
    void on_watch(const json& message);
    void on_creator_message(const std::string& type, const json& message);
    void on_command(SessionCommand command, const json& message);
    void reply_to(json reply, const json& message);
    void send_text(const json& message);
    void enqueue(int kind, std::shared_ptr<const std::string> payload, bool droppable);
    void write_next();
    void finish(websocket::close_code code, const char* why);
    void shut(const std::string& why);
    void gone(const std::string& why);

    websocket::stream<NextLayer> ws_;
    WebIdentity who_;
    BrokerContext& ctx_;
    SessionRegistry& registry_;
    WebOmSessions& om_sessions_;
    boost::asio::steady_timer join_timer_;
    beast::flat_buffer read_buffer_;

    State state_ = State::awaiting_join;
    ViewerOutbox outbox_{kQueueBytes, kHardQueueBytes, &ctx_.metrics.outbox,
                         ctx_.config.broker_viewer_max_lag};
    std::optional<websocket::close_reason> close_after_flush_;
    bool closing_ = false;  // close frame started or socket closed: nothing more is written
    bool gone_ = false;

    // Weak: the session holds its viewers; a strong pointer back would be a cycle.
    std::weak_ptr<LiveSession> session_;
    std::weak_ptr<WebOmSession> om_;       // the creator's session, once attached
    std::shared_ptr<RemoteShare> remote_;  // joined through another node (docs/cluster.md)
    ParticipantId participant_;
    unsigned watcher_ = 0;   // our id among the session's watchers (watching)
    bool controls_ = false;  // from the session's control notices ("you")
    bool in_command_ = false;
    std::optional<json> deferred_end_;  // an end caused by our own command goes after its reply
    std::shared_ptr<OpenWebSockets::Lease> lease_;  // released with the connection
};

template <class NextLayer>
void WebSocketViewer<NextLayer>::run(http::request<http::string_body> request) {
    // The WebSocket has its own timeouts; the HTTP session's would cut a quiet viewer off.
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    // The 101 answer carries the same security headers as every other response.
    HeaderList headers;
    if (auto origin = parse_public_origin(ctx_.config.web_public_url))
        headers = SecurityHeaders(*origin, !ctx_.config.web_plain_http).for_page();
    ws_.set_option(websocket::stream_base::decorator(
        [headers = std::move(headers)](websocket::response_type& response) {
            response.set(http::field::server, "tandem");
            for (const auto& [name, value] : headers) response.set(name, value);
        }));
    ws_.read_message_max(kMaxMessage);
    ws_.auto_fragment(false);  // one frame per message: fewer writes on the relay path
    ws_.async_accept(request, [self = this->shared_from_this()](beast::error_code ec) {
        if (ec) return self->gone("upgrade failed: " + ec.message());
        self->join_timer_.expires_after(kJoinTimeout);
        self->join_timer_.async_wait([weak = self->weak_from_this()](beast::error_code ec) {
            auto viewer = weak.lock();
            if (!ec && viewer && viewer->state_ == State::awaiting_join)
                viewer->finish(websocket::close_code::policy_error, "no join within 10 s");
        });
        self->read();
    });
}

template <class NextLayer>
void WebSocketViewer<NextLayer>::read() {
    ws_.async_read(
        read_buffer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) {
                // Closed, timed out, oversized (Beast already sent 1009) or torn
                // down by shut(): the connection is over either way.
                return self->gone(ec == websocket::error::closed ? "closed" : ec.message());
            }
            try {
                self->on_message();
            } catch (const std::exception& e) {
                // One viewer's fault never takes the broker down.
                log::error(std::string("web viewer error: ") + e.what());
                return self->shut("internal error");
            }
            self->read_buffer_.clear();
            // Keep reading even while closing: the close handshake ends in a read.
            if (!self->gone_) self->read();
        });
}

template <class NextLayer>
void WebSocketViewer<NextLayer>::on_message() {
    if (closing_ || close_after_flush_ || state_ == State::finishing) return;
    if (!ws_.got_text()) return finish(websocket::close_code::policy_error, "text messages only");
    auto message = json::parse(beast::buffers_to_string(read_buffer_.data()), nullptr, false);
    if (!message.is_object() || !message.contains("type") || !message["type"].is_string())
        return finish(websocket::close_code::policy_error, "malformed message");
    const std::string type = message["type"];
    if (state_ == State::joining) return;  // nothing counts before the holding node answers
    if (state_ == State::awaiting_join) {
        if (type == "attach") return on_attach(message);
        if (type == "watch") return on_watch(message);
        if (type != "join") return finish(websocket::close_code::policy_error, "join first");
        return on_join(message);
    }
    if (state_ == State::attached) return on_creator_message(type, message);
    // A watcher never types, resizes, applies for control or commands anything: all ignored.
    if (state_ == State::watching) return;
    if (type == "input") {
        auto data = message.find("data");
        if (data == message.end() || !data->is_string()) return;
        // LiveSession drops a non-controller's input too; this saves the trip.
        if (remote_ && controls_) remote_->input(data->get_ref<const std::string&>());
        if (auto session = session_.lock(); session && controls_)
            session->on_viewer_input(participant_, data->get_ref<const std::string&>());
        return;
    }
    // Commands go to the session, which decides who may do what (an invitee's agree or refuse
    // is refused there). Anything else, "resize" included, is ignored: browsers never size the
    // host's terminal.
    if (auto command = parse_session_command(type)) return on_command(*command, message);
}

template <class NextLayer>
void WebSocketViewer<NextLayer>::on_join(const json& message) {
    join_timer_.cancel();
    auto token = message.find("token");
    if (token == message.end() || !token->is_string() ||
        token->get_ref<const std::string&>().empty() ||
        token->get_ref<const std::string&>().size() > InviteCodec::max_token_length)
        return finish(websocket::close_code::policy_error, "bad join");
    // Another node holds the share: joined there, through this node (docs/cluster.md).
    if (ctx_.cluster != nullptr) {
        if (auto holder =
                ctx_.cluster->holder_elsewhere(token->get_ref<const std::string&>(), registry_)) {
            state_ = State::joining;
            remote_ = RemoteShare::join(ctx_, *holder, token->get<std::string>(), who_.user,
                                        who_.from, this->weak_from_this());
            // A holding node that takes the link but never answers is as one that is away.
            join_timer_.expires_after(kJoinTimeout);
            join_timer_.async_wait([weak = this->weak_from_this()](beast::error_code ec) {
                auto viewer = weak.lock();
                if (!ec && viewer && viewer->state_ == State::joining)
                    viewer->refuse(ErrorCode::T_717_share_resuming);
            });
            return;
        }
    }
    JoinRequest request{who_.user, "web", who_.from};
    auto admitted =
        registry_.join(token->get_ref<const std::string&>(), request, this->shared_from_this());
    if (auto* code = std::get_if<ErrorCode>(&admitted)) return refuse(*code);
    auto& admission = std::get<SessionRegistry::Admission>(admitted);
    state_ = State::joined;
    session_ = admission.session;
    participant_ = admission.participant;
    auto welcome = admission.session->welcome();
    welcome.erase("ok");
    welcome["type"] = "welcome";
    welcome["you"] = who_.user;
    send_text(welcome);
    admission.session->send_snapshot(participant_);
}

template <class NextLayer>
void WebSocketViewer<NextLayer>::refuse(ErrorCode code) {
    state_ = State::finishing;
    if (remote_) remote_->close();  // a link still being opened is dropped when it opens
    remote_.reset();
    send_text({{"type", "refused"},
               {"code", std::string(error_info(code).id)},
               {"text", user_message(code)}});
    finish(websocket::close_code::policy_error, "refused");
}

template <class NextLayer>
void WebSocketViewer<NextLayer>::on_admitted(const json& welcome) {
    if (state_ != State::joining) return;
    join_timer_.cancel();
    state_ = State::joined;
    json message = welcome;
    message.erase("ok");
    message.erase("id");
    message["type"] = "welcome";
    message["you"] = who_.user;
    send_text(message);  // the holding node's snapshot follows
}

template <class NextLayer>
void WebSocketViewer<NextLayer>::on_refused(ErrorCode code) {
    if (state_ == State::joining) refuse(code);
}

template <class NextLayer>
void WebSocketViewer<NextLayer>::on_reply(const json& reply) {
    json message = json::object();
    if (auto id = reply.find("id"); id != reply.end() && id->is_number_integer())
        message["id"] = *id;
    json answer = reply;
    answer.erase("id");
    reply_to(std::move(answer), message);
}

template <class NextLayer>
void WebSocketViewer<NextLayer>::on_link_lost() {
    // As when this node's broker goes away: the page says the connection was lost.
    remote_.reset();
    shut("the link to the node holding the share was lost");
}

template <class NextLayer>
void WebSocketViewer<NextLayer>::on_attach(const json& message) {
    join_timer_.cancel();
    auto id = message.find("session");
    std::shared_ptr<WebOmSession> om;
    // One answer for a session that ended, never existed, or belongs to another login.
    if (id != message.end() && id->is_string() && id->get_ref<const std::string&>().size() <= 64)
        om = om_sessions_.find(id->get<std::string>(), who_.user, who_.login_id);
    if (!om) {
        state_ = State::finishing;
        const auto code = ErrorCode::T_220_web_session_not_yours;
        send_text({{"type", "refused"},
                   {"code", std::string(error_info(code).id)},
                   {"text", user_message(code)}});
        return finish(websocket::close_code::policy_error, "refused");
    }
    state_ = State::attached;
    om_ = om;
    send_text({{"type", "attached"},
               {"you", who_.user},
               {"session", om->id()},
               {"account", om->account()},
               {"cols", om->cols()},
               {"rows", om->rows()}});
    om->attach(this->shared_from_this());
}

template <class NextLayer>
void WebSocketViewer<NextLayer>::on_watch(const json& message) {
    join_timer_.cancel();
    auto refuse = [this](ErrorCode code) {
        state_ = State::finishing;
        send_text({{"type", "refused"},
                   {"code", std::string(error_info(code).id)},
                   {"text", user_message(code)}});
        finish(websocket::close_code::policy_error, "refused");
    };
    // The role is read afresh from the store: the page's own check is only a courtesy.
    if (auto refusal = operator_refusal(ctx_.store.find_user(who_.user), OperatorAction::watch))
        return refuse(*refusal);
    auto id = message.find("session");
    std::shared_ptr<LiveSession> session;
    if (id != message.end() && id->is_string() && id->get_ref<const std::string&>().size() <= 64)
        if (auto it = registry_.sessions().find(id->get<std::string>());
            it != registry_.sessions().end())
            session = it->second;
    std::optional<unsigned> watcher;
    if (session) watcher = session->watch(who_.user, this->shared_from_this());
    if (!watcher) return refuse(ErrorCode::T_705_session_ended);
    ++ctx_.metrics.watches;
    state_ = State::watching;
    session_ = session;
    watcher_ = *watcher;
    auto welcome = session->watch_welcome();
    welcome.erase("ok");
    welcome["type"] = "watching";
    welcome["you"] = who_.user;
    welcome["session"] = id->get<std::string>();
    send_text(welcome);
    session->send_watcher_snapshot(watcher_);
}

template <class NextLayer>
void WebSocketViewer<NextLayer>::on_creator_message(const std::string& type, const json& message) {
    auto om = om_.lock();
    if (!om) return;
    if (type == "input") {
        auto data = message.find("data");
        if (data != message.end() && data->is_string())
            om->input(data->get_ref<const std::string&>());
        return;
    }
    if (type == "resize") {
        auto cols = message.find("cols");
        auto rows = message.find("rows");
        if (cols != message.end() && rows != message.end() && cols->is_number_integer() &&
            rows->is_number_integer())
            om->resize(cols->get<int>(), rows->get<int>());
        return;
    }
    if (auto command = parse_session_command(type)) {
        in_command_ = true;
        json reply;
        try {
            reply = om->command(*command, message);
        } catch (...) {
            in_command_ = false;
            throw;
        }
        in_command_ = false;
        reply_to(std::move(reply), message);
    }
}

template <class NextLayer>
void WebSocketViewer<NextLayer>::on_command(SessionCommand command, const json& message) {
    if (remote_) {
        // The holding node answers; its reply comes back through on_reply.
        auto id = message.find("id");
        remote_->command(std::string(to_string(command)),
                         id != message.end() && id->is_number_integer() ? id->get<int>() : 0);
        return;
    }
    auto session = session_.lock();
    if (!session) return;
    in_command_ = true;
    json reply;
    try {
        reply = session->on_viewer_command(participant_, {{"cmd", to_string(command)}});
    } catch (...) {
        in_command_ = false;
        throw;
    }
    in_command_ = false;
    reply_to(std::move(reply), message);
}

// The reply, then an end our own command caused ("exit"), if any.
template <class NextLayer>
void WebSocketViewer<NextLayer>::reply_to(json reply, const json& message) {
    reply["type"] = "reply";
    if (auto id = message.find("id"); id != message.end() && id->is_number_integer())
        reply["id"] = *id;
    send_text(reply);
    if (deferred_end_) {
        send_text(*deferred_end_);
        deferred_end_.reset();
        finish(websocket::close_code::normal, "ended");
    }
}

template <class NextLayer>
void WebSocketViewer<NextLayer>::send_output(const std::shared_ptr<const std::string>& bytes) {
    if (state_ != State::joined && state_ != State::attached && state_ != State::watching) return;
    enqueue(kOutput, bytes, true);
}

template <class NextLayer>
void WebSocketViewer<NextLayer>::send_snapshot(const std::shared_ptr<const std::string>& bytes) {
    if (state_ != State::joined && state_ != State::attached && state_ != State::watching) return;
    enqueue(kSnapshot, bytes, true);
}

template <class NextLayer>
void WebSocketViewer<NextLayer>::send_resize(int cols, int rows) {
    send_text({{"type", "resize"}, {"cols", cols}, {"rows", rows}});
}

template <class NextLayer>
void WebSocketViewer<NextLayer>::send_notice(const json& notice) {
    if (notice.value("event", "") == "control" && notice.contains("you") &&
        notice["you"].is_boolean())
        controls_ = notice["you"].get<bool>();
    json message = notice;
    message["type"] = "notice";
    send_text(message);
}

template <class NextLayer>
void WebSocketViewer<NextLayer>::send_end(const json& end) {
    session_.reset();
    remote_.reset();
    om_.reset();
    state_ = State::finishing;
    controls_ = false;
    json message = end;
    message["type"] = "end";
    if (in_command_) {
        deferred_end_ = std::move(message);  // "exit": the reply first, then the end
        return;
    }
    send_text(message);
    finish(websocket::close_code::normal, "ended");
}

template <class NextLayer>
void WebSocketViewer<NextLayer>::send_text(const json& message) {
    enqueue(kText, std::make_shared<const std::string>(dump(message)), false);
}

template <class NextLayer>
void WebSocketViewer<NextLayer>::enqueue(int kind, std::shared_ptr<const std::string> payload,
                                         bool droppable) {
    if (closing_ || close_after_flush_) return;
    auto pushed = outbox_.push(
        {kind, std::move(payload), droppable, kind == kOutput, kind == kText ? 0u : 1u});
    if (pushed == ViewerOutbox::Push::overflowed) return shut("browser does not read");
    if (pushed == ViewerOutbox::Push::queued) write_next();
}

template <class NextLayer>
void WebSocketViewer<NextLayer>::write_next() {
    if (closing_ || outbox_.writing()) return;
    const OutboxMessage* next = outbox_.start_write();
    if (!next) {
        if (close_after_flush_) {
            closing_ = true;
            ws_.async_close(*close_after_flush_,
                            [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) self->shut("close failed: " + ec.message());
                            });
            return;
        }
        // Asked for here, after a write, never in the middle of a broadcast.
        if (outbox_.take_resync()) {
            if (remote_) remote_->request_snapshot();
            if (auto session = session_.lock()) {
                if (state_ == State::watching)
                    session->send_watcher_snapshot(watcher_);
                else
                    session->send_snapshot(participant_);
            }
            if (auto om = om_.lock()) om->send_snapshot(this);
        }
        return;
    }
    auto done = [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
        self->outbox_.write_done();
        if (ec) return self->shut("write failed: " + ec.message());
        self->write_next();
    };
    if (next->kind == kText) {
        ws_.text(true);
        ws_.async_write(boost::asio::buffer(*next->payload), std::move(done));
        return;
    }
    ws_.binary(true);
    std::array<boost::asio::const_buffer, 2> buffers = {
        boost::asio::buffer(&kBinaryTag[static_cast<std::size_t>(next->kind)], 1),
        boost::asio::buffer(*next->payload)};
    ws_.async_write(buffers, std::move(done));
}

// Sends what is queued, then a close frame with `code`; nothing else is queued meanwhile.
template <class NextLayer>
void WebSocketViewer<NextLayer>::finish(websocket::close_code code, const char* why) {
    if (closing_ || close_after_flush_) return;
    log::debug(std::string("web viewer closing: ") + why);
    join_timer_.cancel();
    if (code != websocket::close_code::normal) {
        // A protocol fault: what is queued for this browser no longer matters, except the
        // message being written and a refusal explaining why.
        outbox_.drop_droppable();
    }
    close_after_flush_ = websocket::close_reason(code, why);
    write_next();
}

// Closing from outside (logout, password change): a close frame with the reason, and the
// connection dropped shortly after even if the browser never answers it.
template <class NextLayer>
void WebSocketViewer<NextLayer>::close_now(const std::string& reason) {
    if (gone_) return;
    finish(websocket::close_code::policy_error, reason.c_str());
    join_timer_.expires_after(std::chrono::milliseconds(500));
    join_timer_.async_wait([weak = this->weak_from_this(), reason](beast::error_code ec) {
        if (auto viewer = weak.lock(); viewer && !ec) viewer->shut(reason);
    });
}

// Tears the connection down without a close handshake; the pending read then ends in gone().
template <class NextLayer>
void WebSocketViewer<NextLayer>::shut(const std::string& why) {
    if (gone_) return;
    closing_ = true;
    beast::get_lowest_layer(ws_).close();
    gone(why);
}

// The connection is over: the session forgets this viewer (others hear that it left).
template <class NextLayer>
void WebSocketViewer<NextLayer>::gone(const std::string& why) {
    if (gone_) return;
    gone_ = true;
    closing_ = true;
    join_timer_.cancel();
    log::debug("web viewer of " + who_.user + " closed: " + why);
    if (remote_) remote_->close();  // the holding node lets the invitee go
    remote_.reset();
    auto session = session_.lock();
    session_.reset();
    if (session && state_ == State::joined) session->on_viewer_gone(participant_);
    if (session && state_ == State::watching) session->on_watcher_gone(watcher_);
    // The creator's page: the session waits web.om_grace for a reload before it ends.
    if (auto om = om_.lock(); om && state_ == State::attached) om->detach(this);
    om_.reset();
    state_ = State::finishing;
    outbox_.close();  // the message being written stays pinned until its handler runs
}

template class WebSocketViewer<beast::tcp_stream>;
template class WebSocketViewer<beast::ssl_stream<beast::tcp_stream>>;

namespace {

template <class NextLayer>
void start_viewer(NextLayer stream, http::request<http::string_body> request, WebIdentity who,
                  BrokerContext& ctx, SessionRegistry& registry, WebOmSessions& om,
                  std::shared_ptr<OpenWebSockets::Lease> lease) {
    auto viewer = std::make_shared<WebSocketViewer<NextLayer>>(std::move(stream), std::move(who),
                                                               ctx, registry, om);
    if (lease) lease->attach(viewer);
    viewer->hold(std::move(lease));
    viewer->run(std::move(request));
}

}  // namespace

void start_web_viewer(beast::tcp_stream stream, http::request<http::string_body> request,
                      WebIdentity who, BrokerContext& ctx, SessionRegistry& registry,
                      WebOmSessions& om, std::shared_ptr<OpenWebSockets::Lease> lease) {
    start_viewer(std::move(stream), std::move(request), std::move(who), ctx, registry, om,
                 std::move(lease));
}

void start_web_viewer(beast::ssl_stream<beast::tcp_stream> stream,
                      http::request<http::string_body> request, WebIdentity who, BrokerContext& ctx,
                      SessionRegistry& registry, WebOmSessions& om,
                      std::shared_ptr<OpenWebSockets::Lease> lease) {
    start_viewer(std::move(stream), std::move(request), std::move(who), ctx, registry, om,
                 std::move(lease));
}

}  // namespace tandem::broker
