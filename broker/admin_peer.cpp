#include "admin_peer.hpp"

#include "watcher_peer.hpp"

namespace tandem::broker {
namespace {

std::string text_field(const nlohmann::json& j, const char* key, std::size_t max) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return {};
    return it->get<std::string>().substr(0, max);
}

}  // namespace

AdminPeer::AdminPeer(Socket socket, FrameDecoder decoder, BrokerContext& ctx)
    : FramePeer(std::move(socket), std::move(decoder), ctx, 64 * 1024, 64 * 1024) {}

void AdminPeer::begin(Socket socket, FrameDecoder decoder, BrokerContext& ctx,
                      SessionRegistry& registry, const nlohmann::json& hello) {
    const std::string cmd = text_field(hello, "cmd", 32);
    const std::string actor = text_field(hello, "user", 64);
    const std::string session = text_field(hello, "session", 64);
    if (cmd == "watch" && !actor.empty() && !session.empty())
        return WatcherPeer::begin(std::move(socket), std::move(decoder), ctx, registry, session,
                                  actor);
    auto peer = std::make_shared<AdminPeer>(std::move(socket), std::move(decoder), ctx);
    nlohmann::json reply = {{"id", 0}, {"ok", false}};
    if (cmd == "terminate" && !actor.empty() && !session.empty()) {
        // tandem-admin recorded the order and its audit event in the store before asking.
        if (registry.terminate(session, actor, text_field(hello, "reason", kMaxReason))) {
            ++ctx.metrics.terminations["cli"];
            reply["ok"] = true;
        } else {
            reply["code"] = std::string(error_info(ErrorCode::T_705_session_ended).id);
            reply["text"] = "the broker has no live session " + session;
        }
    } else {
        reply["text"] = "unknown admin order";
    }
    peer->send(FrameType::reply,
               reply.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    peer->close_after_flush();
}

}  // namespace tandem::broker
