// LiveSession's operator side (docs/monitoring.md): watchers, operators running `tandem-admin
// watch`, who see what participants see, shared or not, and can never type, resize or control;
// and `tandem-admin terminate`.
#include "live_session.hpp"

namespace tandem::broker {

void LiveSession::terminate(const std::string& actor, const std::string& reason) {
    if (ended_) return;
    const auto code = ErrorCode::T_320_session_terminated;
    const std::string text =
        user_message(code) + " Reason: " + (reason.empty() ? "(none given)" : reason);
    hook_->send_end({{"reason", reason},
                     {"code", std::string(error_info(code).id)},
                     {"by", actor},
                     {"text", text}});
    ended_ = true;
    end_watchers({{"reason", "terminated by " + actor},
                  {"code", std::string(error_info(code).id)},
                  {"text", text}});
    unshare("terminated by " + actor, code, text);
}

std::optional<unsigned> LiveSession::watch(const std::string& actor,
                                           std::shared_ptr<Viewer> viewer) {
    if (ended_) return std::nullopt;
    const unsigned id = next_watcher_++;
    const bool announced = ctx_.config.admin_announce_watch;
    if (announced) {
        // Told before the watcher is added, like a joiner: its first frame is the welcome.
        broadcast_notice({{"event", "watching"},
                          {"user", actor},
                          {"text", "An auditor (" + actor + ") is watching this session."}});
    }
    watchers_[id] = Watcher{actor, std::move(viewer), announced};
    ctx_.audit(actor, "session.watch", info_.id,
               "user=" + info_.creator + " account=" + info_.account +
                   (announced ? " announced" : " silent"));
    return id;
}

nlohmann::json LiveSession::watch_welcome() const {
    return {{"ok", true},
            {"creator", info_.creator},
            {"account", info_.account},
            {"cols", info_.cols},
            {"rows", info_.rows},
            {"shared", share_id_.has_value()},
            {"announced", ctx_.config.admin_announce_watch}};
}

void LiveSession::send_watcher_snapshot(unsigned id) {
    auto it = watchers_.find(id);
    if (it != watchers_.end()) it->second.viewer->send_snapshot(screen_.snapshot());
}

void LiveSession::on_watcher_gone(unsigned id) {
    auto it = watchers_.find(id);
    if (it == watchers_.end()) return;
    const std::string actor = it->second.actor;
    const bool announced = it->second.announced;
    watchers_.erase(it);
    ctx_.audit(actor, "session.unwatch", info_.id);
    if (announced && !ended_)
        broadcast_notice({{"event", "unwatching"},
                          {"user", actor},
                          {"text", "The auditor (" + actor + ") stopped watching."}});
}

void LiveSession::end_watchers(const nlohmann::json& end) {
    auto watchers = std::move(watchers_);
    watchers_.clear();
    for (auto& [id, w] : watchers) w.viewer->send_end(end);
}

}  // namespace tandem::broker
