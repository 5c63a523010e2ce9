// LiveSession's record in the store: what `tandem-admin sessions --live` shows of a share, and
// what lets the share outlive a broker restart (suspended by one broker, resumed by the next).
#include <boost/asio/post.hpp>

#include "live_session.hpp"
#include "tandem/log.hpp"

namespace tandem::broker {

void LiveSession::publish_sharing() {
    SessionSharing sharing;
    sharing.shared = share_id_.has_value() && !ended_;
    if (sharing.shared) {
        sharing.share_id = *share_id_;
        sharing.controller = arbiter_ ? display(arbiter_->controller()) : info_.creator;
        for (const auto& [id, p] : participants_)
            sharing.participants.push_back({p.user, p.via, p.from});
    }
    try {
        ctx_.store.set_session_sharing(info_.id, sharing);
    } catch (const std::exception& e) {
        log::warn("cannot record the share of session " + info_.id + ": " + e.what());
    }
}

void LiveSession::suspend() {
    if (ended_) return;
    ended_ = true;
    const nlohmann::json end = {
        {"reason", "broker restarting"},
        {"reconnect", true},
        {"code", std::string(error_info(ErrorCode::T_717_share_resuming).id)},
        {"text", user_message(ErrorCode::T_717_share_resuming)}};
    end_watchers(end);
    auto participants = std::move(participants_);
    participants_.clear();
    for (auto& [id, p] : participants) p.viewer->send_end(end);
}

void LiveSession::resume_share(const std::string& share_id) {
    if (ended_ || share_id_ || share_id.empty()) return;
    share_id_ = share_id;
    arbiter_.emplace(kCreator);
    ctx_.audit(info_.creator, "share.resume", share_id, "session=" + info_.id);
    publish_sharing();
    // After the hook's registration reply, which its handshake sends once open() returns.
    boost::asio::post(ctx_.io, [weak = weak_from_this()] {
        auto self = weak.lock();
        if (!self || self->ended_) return;
        self->tell_creator(
            {{"event", "control"},
             {"controller", self->info_.creator},
             {"creator", true},
             {"text",
              "Sharing resumed after the bastion's broker restarted; your invite links still "
              "work."}});
    });
}

}  // namespace tandem::broker
