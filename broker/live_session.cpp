#include "live_session.hpp"

#include <boost/asio/post.hpp>

#include "refusal.hpp"
#include "tandem/account_name.hpp"
#include "tandem/base64url.hpp"
#include "tandem/log.hpp"
#include "tandem/session_command.hpp"

namespace tandem::broker {
namespace {

nlohmann::json ok(nlohmann::json extra = nlohmann::json::object()) {
    extra["ok"] = true;
    return extra;
}

// What invitees are told when the session ends with the hook's `code`: the host's silence is
// theirs to know too, and so is a revocation (the creator's, T_306, is T_708 for them);
// anything else about the creator's side is just "the session ended".
ErrorCode invitee_end_code(std::optional<ErrorCode> code) {
    if (code == ErrorCode::T_514_host_unresponsive) return ErrorCode::T_514_host_unresponsive;
    if (code == ErrorCode::T_306_access_revoked) return ErrorCode::T_708_grant_revoked;
    return ErrorCode::T_705_session_ended;
}

}  // namespace

LiveSession::LiveSession(BrokerContext& ctx, SessionInfo info, std::shared_ptr<SessionHook> hook)
    : ctx_(ctx),
      info_(std::move(info)),
      hook_(std::move(hook)),
      screen_(info_.rows, info_.cols),
      settle_timer_(ctx.io) {}

std::string LiveSession::display(const ParticipantId& id) const {
    if (id == kCreator) return info_.creator;
    auto it = participants_.find(id);
    return it == participants_.end() ? id : it->second.user;
}

void LiveSession::on_output(std::string_view bytes) {
    ctx_.metrics.output_bytes += bytes.size();
    ctx_.metrics.viewer_output_bytes += bytes.size() * (participants_.size() + watchers_.size());
    if (!participants_.empty() || !watchers_.empty()) {
        auto shared = std::make_shared<const std::string>(bytes);
        for (auto& [id, p] : participants_) p.viewer->send_output(shared);
        for (auto& [id, w] : watchers_) w.viewer->send_output(shared);
    }
    feed_screen(bytes);
}

void LiveSession::on_gap(std::string_view replay) {
    // Viewers do not get the replay as output: they saw part of it already. They get the
    // screen rebuilt from it instead.
    screen_.gap();
    screen_.append(replay);
    resync_after_parse_ = true;
    schedule_parse();
}

void LiveSession::on_resize(int cols, int rows) {
    if (cols < 1 || rows < 1 || cols > 1000 || rows > 1000) return;
    info_.cols = cols;
    info_.rows = rows;
    screen_.resize(rows, cols);
    for (auto& [id, p] : participants_) p.viewer->send_resize(cols, rows);
    for (auto& [id, w] : watchers_) w.viewer->send_resize(cols, rows);
}

nlohmann::json LiveSession::on_command(const nlohmann::json& command) {
    const auto cmd = parse_session_command(command.value("cmd", ""));
    if (!cmd || !is_creator_command(*cmd)) return refusal(ErrorCode::T_304_unknown_command);
    if (*cmd == SessionCommand::share) return share(command);
    if (*cmd == SessionCommand::who) return ok({{"participants", who()}});
    if (!arbiter_) return refusal(ErrorCode::T_713_not_shared);
    switch (*cmd) {
        case SessionCommand::unshare:
            unshare("cancelled", ErrorCode::T_704_share_cancelled);
            return ok({{"text", "Sharing cancelled; every invitee was removed."}});
        case SessionCommand::agree:
            return control_reply(arbiter_->agree(kCreator), *cmd, kCreator);
        case SessionCommand::refuse:
            return control_reply(arbiter_->refuse(kCreator), *cmd, kCreator);
        case SessionCommand::take:
            return control_reply(arbiter_->take(kCreator), *cmd, kCreator);
        default:
            return refusal(ErrorCode::T_304_unknown_command);
    }
}

bool LiveSession::creator_holds_grant() const {
    const auto name = AccountName::parse(info_.account);
    auto account = name ? ctx_.store.find_account(name->login, name->host) : std::nullopt;
    auto creator = ctx_.store.find_user(info_.creator);
    return account && creator && !creator->disabled &&
           ctx_.store.has_grant(creator->id, account->id);
}

nlohmann::json LiveSession::share(const nlohmann::json& command) {
    const auto& cfg = ctx_.config;
    std::int64_t ttl = cfg.invite_ttl.count();
    if (command.contains("ttl")) {
        if (!command["ttl"].is_number_integer() || command["ttl"].get<std::int64_t>() <= 0)
            return refusal(ErrorCode::T_707_invite_ttl_too_long);
        ttl = command["ttl"].get<std::int64_t>();
    }
    if (ttl > cfg.invite_max_ttl.count()) return refusal(ErrorCode::T_707_invite_ttl_too_long);
    // A creator whose grant was revoked keeps no power to invite anyone (the hook ends the
    // session itself within its own re-check period).
    try {
        if (!creator_holds_grant()) return refusal(ErrorCode::T_302_no_grant);
    } catch (const std::exception& e) {
        log::error(std::string("grant check failed: ") + e.what());
        return refusal(ErrorCode::T_102_store_unavailable);
    }
    if (!share_id_) {
        share_id_ = random_base64url(12);
        arbiter_.emplace(kCreator);
        ctx_.audit(info_.creator, "share.create", *share_id_,
                   "session=" + info_.id + " account=" + info_.account);
        publish_sharing();
    }
    const UnixTime now = ctx_.clock();
    InviteClaims claims{*share_id_, random_base64url(12), now, now + ttl};
    std::string token = ctx_.invites.encode(claims);
    ctx_.audit(info_.creator, "invite.issue", *share_id_,
               "jti=" + claims.jti + " expires=" + std::to_string(claims.expires_at));
    std::string base = cfg.web_public_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return ok({{"url", base + "/join#" + token},
               {"token", token},
               {"expires_at", claims.expires_at},
               {"share", *share_id_}});
}

void LiveSession::unshare(const std::string& reason, ErrorCode code, const std::string& text) {
    if (!share_id_) return;
    nlohmann::json end = {{"reason", reason},
                          {"code", std::string(error_info(code).id)},
                          {"text", text.empty() ? user_message(code) : text}};
    // Copy the ids first: remove() edits the map.
    std::vector<ParticipantId> ids;
    for (auto& [id, p] : participants_) ids.push_back(id);
    for (auto& id : ids) remove(id, end);
    ctx_.audit(info_.creator, "share.end", *share_id_, reason);
    share_id_.reset();
    arbiter_.reset();
    publish_sharing();
    tell_creator({{"event", "control"},
                  {"controller", info_.creator},
                  {"creator", true},
                  {"text", "Sharing ended (" + reason + ")."}});
}

void LiveSession::end(const std::string& reason, std::optional<ErrorCode> code) {
    if (ended_) return;
    ended_ = true;
    const ErrorCode told = invitee_end_code(code);
    end_watchers({{"reason", reason},
                  {"code", std::string(error_info(told).id)},
                  {"text", user_message(told)}});
    unshare(reason, told);
    if (auto console = console_.lock()) console->on_end(reason, code);
}

void LiveSession::tell_creator(const nlohmann::json& notice) {
    hook_->send_notice(notice);
    if (auto console = console_.lock()) console->on_notice(notice);
}

nlohmann::json LiveSession::console_state() const {
    nlohmann::json state = {
        {"shared", arbiter_.has_value()},
        {"controller", arbiter_ ? display(arbiter_->controller()) : info_.creator},
        {"participants", who()},
        {"pending", nullptr}};
    if (share_id_) state["share"] = *share_id_;
    if (arbiter_ && arbiter_->pending_request())
        state["pending"] = display(*arbiter_->pending_request());
    return state;
}

std::variant<ParticipantId, ErrorCode> LiveSession::admit(const JoinRequest& request,
                                                          std::shared_ptr<Viewer> viewer) {
    if (auto refusal = admission_refusal()) return *refusal;
    ParticipantId id = "v" + std::to_string(next_participant_++);
    const std::string text =
        request.user + " joined (" + request.via + " from " + request.from + ")";
    // Told before the joiner is added: the joiner's first frame must be the welcome reply.
    broadcast_notice({{"event", "joined"}, {"user", request.user}, {"text", text}});
    arbiter_->join(id);
    participants_[id] = Participant{request.user, request.via, request.from, std::move(viewer)};
    ctx_.audit(request.user, "participant.join", *share_id_,
               "via=" + request.via + " from=" + request.from + " session=" + info_.id);
    publish_sharing();
    return id;
}

std::optional<ErrorCode> LiveSession::admission_refusal() const {
    if (ended_) return ErrorCode::T_705_session_ended;
    if (!arbiter_) return ErrorCode::T_704_share_cancelled;
    if (static_cast<int>(participants_.size()) >= ctx_.config.invite_max_participants)
        return ErrorCode::T_706_share_full;
    return std::nullopt;
}

nlohmann::json LiveSession::welcome() const {
    return ok({{"creator", info_.creator},
               {"account", info_.account},
               {"cols", info_.cols},
               {"rows", info_.rows},
               {"controller", arbiter_ ? display(arbiter_->controller()) : info_.creator},
               {"participants", who()}});
}

void LiveSession::send_snapshot(const ParticipantId& id) {
    auto it = participants_.find(id);
    if (it != participants_.end()) it->second.viewer->send_snapshot(screen_.snapshot());
}

void LiveSession::on_viewer_input(const ParticipantId& id, std::string_view bytes) {
    // Rule 6, server side: whatever a client sends, only the controller's input goes on.
    if (!arbiter_ || !arbiter_->may_send_input(id) || id == kCreator) return;
    ctx_.metrics.input_bytes += bytes.size();
    hook_->send_input(std::string(bytes));
}

nlohmann::json LiveSession::on_viewer_command(const ParticipantId& id,
                                              const nlohmann::json& command) {
    if (!arbiter_ || !participants_.count(id)) return refusal(ErrorCode::T_704_share_cancelled);
    const auto cmd = parse_session_command(command.value("cmd", ""));
    if (!cmd) return refusal(ErrorCode::T_304_unknown_command);
    // Answering requests, taking control and sharing belong to the creator alone, whatever an
    // invitee's client sends (an invitee in control must not hand the host on).
    if (!is_invitee_command(*cmd)) return refusal(ErrorCode::T_711_creator_only);
    switch (*cmd) {
        case SessionCommand::exit:
            remove(id, {{"reason", "exit"}, {"text", "You left the session."}});
            return ok();
        case SessionCommand::control:
            return control_reply(arbiter_->apply(id), *cmd, id);
        case SessionCommand::release:
            return control_reply(arbiter_->release(id), *cmd, id);
        case SessionCommand::who:
            return ok({{"participants", who()}});
        default:
            return refusal(ErrorCode::T_304_unknown_command);
    }
}

nlohmann::json LiveSession::control_reply(ControlOutcome outcome, SessionCommand command,
                                          const ParticipantId& actor) {
    const std::string who_acts = display(actor);
    switch (outcome) {
        case ControlOutcome::ok:
            break;
        case ControlOutcome::already_controller:
            return ok({{"text", "You already control the session."}});
        case ControlOutcome::request_pending:
            return refusal(ErrorCode::T_712_request_pending);
        case ControlOutcome::no_request:
            return refusal(ErrorCode::T_714_no_request);
        case ControlOutcome::not_participant:
            return refusal(ErrorCode::T_704_share_cancelled);
        case ControlOutcome::not_allowed:
            return refusal(command == SessionCommand::release ? ErrorCode::T_715_not_controller
                                                              : ErrorCode::T_711_creator_only);
    }
    // The audit names the act: an invitee's `control` command is an application.
    const std::string act =
        command == SessionCommand::control ? "apply" : std::string(to_string(command));
    ctx_.audit(who_acts, "control." + act, *share_id_, "session=" + info_.id);
    switch (command) {
        case SessionCommand::control: {
            // The creator answers; an invitee in control is told, since it is their control
            // that is asked for.
            tell_creator({{"event", "request"},
                          {"user", who_acts},
                          {"text", who_acts + " applies for control (escape key, then "
                                              "agree or refuse)"}});
            const auto& controller = arbiter_->controller();
            if (controller != kCreator)
                participants_.at(controller)
                    .viewer->send_notice({{"event", "request"},
                                          {"user", who_acts},
                                          {"text", who_acts + " applies for control; " +
                                                       info_.creator + " (the creator) decides."}});
            return ok({{"text", "Request sent; waiting for an answer."}});
        }
        case SessionCommand::refuse:
            broadcast_notice(
                {{"event", "refused"}, {"text", who_acts + " refused the request for control."}});
            return ok();
        case SessionCommand::release:
            announce_control(who_acts + " released control");
            return ok();
        case SessionCommand::take:
            announce_control(who_acts + " took control back");
            return ok();
        default:
            announce_control(who_acts + " agreed");
            return ok();
    }
}

void LiveSession::announce_control(const std::string& why) {
    const ParticipantId& controller = arbiter_->controller();
    const std::string name = display(controller);
    nlohmann::json notice = {{"event", "control"},
                             {"controller", name},
                             {"creator", controller == kCreator},
                             {"text", why + ": " + name + " now controls the session."}};
    tell_creator(notice);
    for (auto& [id, p] : participants_) {
        notice["you"] = id == controller;
        p.viewer->send_notice(notice);
    }
    publish_sharing();
}

void LiveSession::broadcast_notice(const nlohmann::json& notice) {
    tell_creator(notice);
    for (auto& [id, p] : participants_) p.viewer->send_notice(notice);
}

void LiveSession::on_viewer_gone(const ParticipantId& id) {
    if (!participants_.count(id)) return;
    remove(id, nlohmann::json());
}

void LiveSession::remove(const ParticipantId& id, const nlohmann::json& end) {
    auto it = participants_.find(id);
    if (it == participants_.end()) return;
    Participant gone = std::move(it->second);
    participants_.erase(it);
    const bool had_control = arbiter_ && arbiter_->controller() == id;
    if (arbiter_) arbiter_->leave(id);
    if (!end.is_null()) gone.viewer->send_end(end);
    const std::string reason = end.is_null() ? "disconnected" : end.value("reason", "left");
    broadcast_notice({{"event", "left"},
                      {"user", gone.user},
                      {"text", gone.user + " left the session (" + reason + ")"}});
    if (had_control && arbiter_) announce_control(gone.user + " left");
    ctx_.audit(gone.user, "participant.leave", share_id_.value_or(""),
               "reason=" + reason + " session=" + info_.id);
    publish_sharing();
}

std::map<std::string, std::size_t> LiveSession::participants_by_via() const {
    std::map<std::string, std::size_t> counts;
    for (const auto& [id, p] : participants_) ++counts[p.via];
    return counts;
}

nlohmann::json LiveSession::who() const {
    nlohmann::json list = nlohmann::json::array();
    const ParticipantId controller = arbiter_ ? arbiter_->controller() : kCreator;
    list.push_back({{"user", info_.creator},
                    {"via", "creator"},
                    {"from", info_.client},
                    {"controller", controller == kCreator}});
    for (const auto& [id, p] : participants_)
        list.push_back(
            {{"user", p.user}, {"via", p.via}, {"from", p.from}, {"controller", controller == id}});
    return list;
}

void LiveSession::recheck_grants() {
    if (!share_id_) return;
    std::vector<ParticipantId> revoked;
    bool creator_revoked = false;
    try {
        creator_revoked = !creator_holds_grant();
        const auto name = AccountName::parse(info_.account);
        auto account = name ? ctx_.store.find_account(name->login, name->host) : std::nullopt;
        for (const auto& [id, p] : participants_) {
            auto user = ctx_.store.find_user(p.user);
            if (!account || !user || user->disabled || !ctx_.store.has_grant(user->id, account->id))
                revoked.push_back(id);
        }
    } catch (const std::exception& e) {
        log::warn(std::string("grant recheck skipped: ") + e.what());
        return;
    }
    if (creator_revoked) {
        // Everyone out: the share was the creator's to give, and the creator no longer may.
        log::info("share of session " + info_.id + " ended: " + info_.creator +
                  " lost the grant on " + info_.account);
        return unshare("the creator's access was revoked", ErrorCode::T_708_grant_revoked);
    }
    for (const auto& id : revoked)
        remove(id, {{"reason", "grant revoked"},
                    {"code", std::string(error_info(ErrorCode::T_708_grant_revoked).id)},
                    {"text", user_message(ErrorCode::T_708_grant_revoked)}});
}

}  // namespace tandem::broker
