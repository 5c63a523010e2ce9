// LiveSession's record in the store: what `tandem-admin sessions --live` shows of a share.
#include "live_session.hpp"
#include "tandem/log.hpp"

namespace tandem::broker {

void LiveSession::publish_sharing() {
    SessionSharing sharing;
    sharing.shared = share_id_.has_value() && !ended_;
    if (sharing.shared) {
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

}  // namespace tandem::broker
