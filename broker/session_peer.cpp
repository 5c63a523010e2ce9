#include "session_peer.hpp"

#include "tandem/json_object.hpp"
#include "tandem/session_command.hpp"

namespace tandem::broker {

std::optional<std::pair<int, int>> terminal_size_of(const nlohmann::json& j) {
    auto dimension = [&](const char* key) -> std::optional<int> {
        auto it = j.find(key);
        if (it == j.end() || !it->is_number_integer()) return std::nullopt;
        const auto value = it->get<std::int64_t>();
        if (value < 1 || value > 1000) return std::nullopt;
        return static_cast<int>(value);
    };
    auto cols = dimension("cols");
    auto rows = dimension("rows");
    if (!cols || !rows) return std::nullopt;
    return std::pair{*cols, *rows};
}

void SessionPeer::begin(Socket socket, FrameDecoder decoder, BrokerContext& ctx,
                        SessionRegistry& registry, SessionInfo info) {
    auto peer = std::make_shared<SessionPeer>(std::move(socket), std::move(decoder), ctx, registry,
                                              std::move(info));
    peer->session_ = registry.open(peer->info_, peer);
    peer->send(FrameType::reply, nlohmann::json{{"id", 0}, {"ok", true}}.dump());
    peer->start_reading();
}

SessionPeer::SessionPeer(Socket socket, FrameDecoder decoder, BrokerContext& ctx,
                         SessionRegistry& registry, SessionInfo info)
    : FramePeer(std::move(socket), std::move(decoder), ctx, kQueueBytes, kQueueBytes),
      registry_(registry),
      info_(std::move(info)) {}

void SessionPeer::send_input(const std::string& bytes) {
    send(FrameType::input, bytes);
}

void SessionPeer::send_notice(const nlohmann::json& notice) {
    send(FrameType::notice, notice.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void SessionPeer::send_end(const nlohmann::json& end) {
    // The hook answers with its own end frame once the session is down; until then it stays
    // registered, so a hook that does not act on this keeps its session visible.
    send(FrameType::end, end.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void SessionPeer::on_frame(Frame& frame) {
    auto session = session_.lock();
    if (!session) return shut("session gone");
    switch (frame.type) {
        case FrameType::output:
            return session->on_output(frame.payload);
        case FrameType::gap:
            return session->on_gap(frame.payload);
        case FrameType::resize:
            if (auto size = terminal_size_of(parse_json_object(frame.payload).value_or(nullptr)))
                session->on_resize(size->first, size->second);
            return;
        case FrameType::command: {
            auto j = parse_json_object(frame.payload);
            if (!j) return shut("bad command");
            auto answer = session->on_command(*j);
            answer["id"] = j->value("id", 0);
            return send(FrameType::reply,
                        answer.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        }
        case FrameType::end:
            return on_end(frame.payload);
        default:
            return shut("unexpected frame from session hook");
    }
}

void SessionPeer::on_end(const std::string& payload) {
    const auto j = parse_json_object(payload).value_or(nlohmann::json::object());
    std::string reason = j.value("reason", "ended");
    if (reason.size() > 64) reason.resize(64);
    registry_.close(info_.id, reason, parse_error_code(j.value("code", "")));
    session_.reset();
    shut("session ended");
}

void SessionPeer::on_closed() {
    // The hook vanished without saying goodbye: the session is gone for the broker.
    if (session_.lock()) registry_.close(info_.id, "session hook disconnected", std::nullopt);
    session_.reset();
}

}  // namespace tandem::broker
