#include "viewer_peer.hpp"

#include "refusal.hpp"
#include "tandem/json_object.hpp"

namespace tandem::broker {

void ViewerPeer::begin(Socket socket, FrameDecoder decoder, BrokerContext& ctx,
                       SessionRegistry& registry, const std::string& token, JoinRequest request) {
    auto peer = std::make_shared<ViewerPeer>(std::move(socket), std::move(decoder), ctx);
    auto admitted = registry.join(token, request, peer);
    if (auto* code = std::get_if<ErrorCode>(&admitted)) {
        auto reply = refusal(*code);
        reply["id"] = 0;
        peer->send_json(FrameType::reply, reply);
        return peer->close_after_flush();
    }
    auto& admission = std::get<SessionRegistry::Admission>(admitted);
    peer->session_ = admission.session;
    peer->participant_ = admission.participant;
    auto welcome = admission.session->welcome();
    welcome["id"] = 0;
    peer->send_json(FrameType::reply, welcome);
    admission.session->send_snapshot(peer->participant_);
    peer->start_reading();
}

ViewerPeer::ViewerPeer(Socket socket, FrameDecoder decoder, BrokerContext& ctx)
    : FramePeer(std::move(socket), std::move(decoder), ctx, kQueueBytes, kHardQueueBytes) {}

void ViewerPeer::send_json(FrameType type, const nlohmann::json& body) {
    send(type, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void ViewerPeer::on_frame(Frame& frame) {
    auto session = session_.lock();
    if (!session) return;
    switch (frame.type) {
        case FrameType::input:
            return session->on_viewer_input(participant_, frame.payload);
        case FrameType::command: {
            auto j = parse_json_object(frame.payload);
            if (!j) return shut("bad command");
            auto answer = session->on_viewer_command(participant_, *j);
            answer["id"] = j->value("id", 0);
            return send_json(FrameType::reply, answer);
        }
        case FrameType::resize:
            return;  // viewers never resize the host's terminal
        case FrameType::snapshot:
            // A browser on another node fell behind and dropped output (docs/cluster.md): it
            // asks for a fresh snapshot once it has drained, so no faster than it reads.
            return session->send_snapshot(participant_);
        default:
            return shut("unexpected frame from viewer");
    }
}

void ViewerPeer::send_output(const std::shared_ptr<const std::string>& bytes) {
    send(FrameType::output, bytes, true);
}

void ViewerPeer::send_snapshot(const std::shared_ptr<const std::string>& bytes) {
    send(FrameType::snapshot, bytes, true);
}

void ViewerPeer::send_resize(int cols, int rows) {
    send_json(FrameType::resize, {{"cols", cols}, {"rows", rows}});
}

void ViewerPeer::send_notice(const nlohmann::json& notice) {
    send_json(FrameType::notice, notice);
}

void ViewerPeer::send_end(const nlohmann::json& end) {
    session_.reset();
    send_json(FrameType::end, end);
    close_after_flush();
}

void ViewerPeer::on_resync() {
    if (auto session = session_.lock()) session->send_snapshot(participant_);
}

void ViewerPeer::on_closed() {
    if (auto session = session_.lock()) session->on_viewer_gone(participant_);
    session_.reset();
}

}  // namespace tandem::broker
