#include "watcher_peer.hpp"

#include "refusal.hpp"

namespace tandem::broker {

void WatcherPeer::begin(Socket socket, FrameDecoder decoder, BrokerContext& ctx,
                        SessionRegistry& registry, const std::string& session_id,
                        const std::string& actor) {
    auto peer = std::make_shared<WatcherPeer>(std::move(socket), std::move(decoder), ctx);
    auto it = registry.sessions().find(session_id);
    std::optional<unsigned> id;
    if (it != registry.sessions().end()) id = it->second->watch(actor, peer);
    if (!id) {
        auto reply = refusal(ErrorCode::T_705_session_ended);
        reply["id"] = 0;
        reply["text"] = "the broker has no live session " + session_id;  // tandem-admin shows it
        peer->send_json(FrameType::reply, reply);
        return peer->close_after_flush();
    }
    ++ctx.metrics.watches;
    peer->session_ = it->second;
    peer->id_ = *id;
    auto welcome = it->second->watch_welcome();
    welcome["id"] = 0;
    peer->send_json(FrameType::reply, welcome);
    it->second->send_watcher_snapshot(*id);
    peer->start_reading();
}

WatcherPeer::WatcherPeer(Socket socket, FrameDecoder decoder, BrokerContext& ctx)
    : FramePeer(std::move(socket), std::move(decoder), ctx, kQueueBytes, kHardQueueBytes) {}

void WatcherPeer::send_json(FrameType type, const nlohmann::json& body) {
    send(type, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void WatcherPeer::send_output(const std::shared_ptr<const std::string>& bytes) {
    send(FrameType::output, bytes, true);
}

void WatcherPeer::send_snapshot(const std::shared_ptr<const std::string>& bytes) {
    send(FrameType::snapshot, bytes, true);
}

void WatcherPeer::send_resize(int cols, int rows) {
    send_json(FrameType::resize, {{"cols", cols}, {"rows", rows}});
}

void WatcherPeer::send_end(const nlohmann::json& end) {
    session_.reset();
    send_json(FrameType::end, end);
    close_after_flush();
}

void WatcherPeer::on_resync() {
    if (auto session = session_.lock()) session->send_watcher_snapshot(id_);
}

void WatcherPeer::on_closed() {
    if (auto session = session_.lock()) session->on_watcher_gone(id_);
    session_.reset();
}

}  // namespace tandem::broker
