#include "session_registry.hpp"

#include "tandem/account_name.hpp"
#include "tandem/log.hpp"

namespace tandem::broker {
namespace {
constexpr std::size_t kRememberedShares = 4096;
}

std::shared_ptr<LiveSession> SessionRegistry::open(const SessionInfo& info,
                                                   std::shared_ptr<SessionHook> hook) {
    // A hook that reconnects (broker restart, network blip) starts its session over.
    close(info.id, "session re-registered", ErrorCode::T_705_session_ended);
    auto session = std::make_shared<LiveSession>(ctx_, info, std::move(hook));
    sessions_[info.id] = session;
    ++ctx_.metrics.sessions_registered;
    ctx_.audit(info.creator, "session.register", info.account, "session=" + info.id);
    if (auto expected = expected_.find(info.id); expected != expected_.end()) {
        // Only the session's own creator gets its share back (the hook proved who it is).
        if (expected->second.creator == info.creator)
            session->resume_share(expected->second.share_id);
        expected_.erase(expected);
    }
    if (on_open_) on_open_(session);
    return session;
}

bool SessionRegistry::holds_share(const std::string& share_id) const {
    for (const auto& [id, session] : sessions_)
        if (session->share_id() == share_id) return true;
    for (const auto& [uuid, expected] : expected_)
        if (expected.share_id == share_id) return true;
    return false;
}

std::shared_ptr<LiveSession> SessionRegistry::find(const std::string& session_id) const {
    auto it = sessions_.find(session_id);
    return it == sessions_.end() ? nullptr : it->second;
}

void SessionRegistry::close(const std::string& session_id, const std::string& reason,
                            std::optional<ErrorCode> code) {
    auto it = sessions_.find(session_id);
    if (it == sessions_.end()) return;
    auto session = it->second;
    sessions_.erase(it);
    if (session->share_id())
        remember_ended_share(*session->share_id(), ErrorCode::T_705_session_ended);
    session->end(reason, code);
}

void SessionRegistry::remember_ended_share(const std::string& share_id, ErrorCode code) {
    if (ended_shares_.emplace(share_id, code).second) ended_order_.push_back(share_id);
    while (ended_order_.size() > kRememberedShares) {
        ended_shares_.erase(ended_order_.front());
        ended_order_.pop_front();
    }
}

std::variant<SessionRegistry::Found, ErrorCode> SessionRegistry::find_for(
    std::string_view token, const std::string& user) const {
    auto decoded = ctx_.invites.decode(token, ctx_.clock());
    if (auto* rejection = std::get_if<InviteRejection>(&decoded)) {
        log::info("join refused for " + user + ": invite " + std::string(to_string(*rejection)));
        return *rejection == InviteRejection::expired ? ErrorCode::T_703_invite_expired
                                                      : ErrorCode::T_702_invite_invalid;
    }
    const auto& claims = std::get<InviteClaims>(decoded);
    std::shared_ptr<LiveSession> session;
    for (const auto& [id, s] : sessions_)
        if (s->share_id() == claims.share_id) session = s;
    if (!session) {
        for (const auto& [uuid, expected] : expected_)
            if (expected.share_id == claims.share_id) return ErrorCode::T_717_share_resuming;
        auto ended = ended_shares_.find(claims.share_id);
        if (ended != ended_shares_.end()) return ended->second;
        // Not in memory (a restarted broker): the store knows whether its session ended.
        try {
            if (ctx_.store.share_session_ended(claims.share_id))
                return ErrorCode::T_705_session_ended;
        } catch (const std::exception& e) {
            log::warn(std::string("cannot look up an ended share: ") + e.what());
        }
        return ErrorCode::T_704_share_cancelled;
    }
    // Rule 1: only holders of a grant on the session's account may join.
    const std::string& account = session->info().account;
    const auto name = AccountName::parse(account);
    try {
        auto person = ctx_.store.find_user(user);
        auto acct = name ? ctx_.store.find_account(name->login, name->host) : std::nullopt;
        if (person && person->disabled) return ErrorCode::T_209_user_disabled;
        if (!person || !acct || !ctx_.store.has_grant(person->id, acct->id))
            return ErrorCode::T_302_no_grant;
    } catch (const std::exception& e) {
        log::error(std::string("grant check failed: ") + e.what());
        return ErrorCode::T_102_store_unavailable;
    }
    return Found{session, claims.expires_at};
}

std::variant<SessionRegistry::Admission, ErrorCode> SessionRegistry::join(
    std::string_view token, const JoinRequest& request, std::shared_ptr<Viewer> viewer) {
    auto refused = [this](ErrorCode code) {
        ++ctx_.metrics.refusals[std::string(error_info(code).id)];
        return code;
    };
    auto found = find_for(token, request.user);
    if (auto* code = std::get_if<ErrorCode>(&found)) return refused(*code);
    auto session = std::get<Found>(found).session;
    auto admitted = session->admit(request, std::move(viewer));
    if (auto* code = std::get_if<ErrorCode>(&admitted)) return refused(*code);
    ++ctx_.metrics.joins[request.via];
    return Admission{session, std::get<ParticipantId>(admitted)};
}

std::variant<nlohmann::json, ErrorCode> SessionRegistry::preview(std::string_view token,
                                                                 const std::string& user) const {
    auto found = find_for(token, user);
    if (auto* code = std::get_if<ErrorCode>(&found)) return *code;
    const auto& [session, expires_at] = std::get<Found>(found);
    if (auto refusal = session->admission_refusal()) return *refusal;
    auto view = session->welcome();
    view.erase("ok");
    view["expires_at"] = expires_at;
    return view;
}

bool SessionRegistry::terminate(const std::string& session_id, const std::string& actor,
                                const std::string& reason) {
    auto it = sessions_.find(session_id);
    if (it == sessions_.end() || it->second->ended()) return false;
    auto session = it->second;
    if (session->share_id())
        remember_ended_share(*session->share_id(), ErrorCode::T_320_session_terminated);
    session->terminate(actor, reason);
    log::info("session " + session_id + " terminated by " + actor);
    return true;
}

void SessionRegistry::recheck_grants() {
    for (auto& [id, session] : sessions_) session->recheck_grants();
}

void SessionRegistry::suspend_all() {
    auto sessions = std::move(sessions_);
    sessions_.clear();
    for (auto& [id, session] : sessions) session->suspend();
}

void SessionRegistry::expect_shares(const std::vector<LiveShare>& shares) {
    const UnixTime until = ctx_.clock() + kResumeWindow;
    for (const auto& share : shares) {
        expected_[share.session_uuid] = {share.share_id, share.creator, until};
        log::info("share of session " + share.session_uuid + " resumes when its hook returns");
    }
}

void SessionRegistry::drop_unclaimed_shares() {
    const UnixTime now = ctx_.clock();
    for (auto it = expected_.begin(); it != expected_.end();) {
        if (it->second.until > now) {
            ++it;
            continue;
        }
        try {
            ctx_.store.set_session_sharing(it->first, SessionSharing{});
        } catch (const std::exception& e) {
            log::warn("cannot end the unclaimed share of session " + it->first + ": " + e.what());
            ++it;
            continue;  // tried again on the next tick
        }
        ctx_.audit(it->second.creator, "share.end", it->second.share_id,
                   "hook did not return after a broker restart");
        remember_ended_share(it->second.share_id, ErrorCode::T_705_session_ended);
        it = expected_.erase(it);
    }
}

}  // namespace tandem::broker
