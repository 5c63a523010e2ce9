// Every live session the broker knows, and the door for joiners: verifies the invite, finds
// the share, checks the joiner's grant (no grant on the account, no join) before admitting them.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <variant>

#include "live_session.hpp"

namespace tandem::broker {

class SessionRegistry {
  public:
    explicit SessionRegistry(BrokerContext& ctx) : ctx_(ctx) {}

    std::shared_ptr<LiveSession> open(const SessionInfo& info, std::shared_ptr<SessionHook> hook);
    void close(const std::string& session_id, const std::string& reason,
               std::optional<ErrorCode> code);

    struct Admission {
        std::shared_ptr<LiveSession> session;
        ParticipantId participant;
    };
    std::variant<Admission, ErrorCode> join(std::string_view token, const JoinRequest& request,
                                            std::shared_ptr<Viewer> viewer);

    // What the invitation page shows before anyone enters: the same checks as join() (invite,
    // share, session, grant, participant cap) without admitting. Fields: creator, account,
    // expires_at, cols, rows, controller, participants (as LiveSession::who()).
    std::variant<nlohmann::json, ErrorCode> preview(std::string_view token,
                                                    const std::string& user) const;

    // Whether this broker holds the share, live or waiting for its hook after a restart.
    bool holds_share(const std::string& share_id) const;
    // The live session with that id, or nullptr.
    std::shared_ptr<LiveSession> find(const std::string& session_id) const;
    // Called with every session as it registers (web O&M sessions attach their page to it).
    void on_open(std::function<void(const std::shared_ptr<LiveSession>&)> observer) {
        on_open_ = std::move(observer);
    }
    // tandem-admin terminate: ends the live session `session_id`; false when there is none.
    bool terminate(const std::string& session_id, const std::string& actor,
                   const std::string& reason);

    void recheck_grants();
    // The broker stops; the sessions do not (docs/sharing.md, "Broker restarts").
    void suspend_all();

    // Shares a previous broker left in the store: each resumes when its session's hook
    // re-registers (within seconds: hooks retry every 2 s); until then joiners hear T_717.
    void expect_shares(const std::vector<LiveShare>& shares);
    // Shares whose hook did not come back within kResumeWindow end (store and audit).
    void drop_unclaimed_shares();
    static constexpr UnixTime kResumeWindow = 30;
    std::size_t size() const { return sessions_.size(); }
    const std::map<std::string, std::shared_ptr<LiveSession>>& sessions() const {
        return sessions_;
    }

  private:
    struct Found {
        std::shared_ptr<LiveSession> session;
        UnixTime expires_at = 0;
    };
    // The invite, its live share and the joiner's grant, or why not.
    std::variant<Found, ErrorCode> find_for(std::string_view token, const std::string& user) const;
    void remember_ended_share(const std::string& share_id, ErrorCode code);

    BrokerContext& ctx_;
    std::map<std::string, std::shared_ptr<LiveSession>> sessions_;
    struct ExpectedShare {
        std::string share_id;
        std::string creator;
        UnixTime until = 0;
    };
    std::map<std::string, ExpectedShare> expected_;  // by session uuid
    std::function<void(const std::shared_ptr<LiveSession>&)> on_open_;
    // Shares that ended recently, so a late joiner hears "session ended" rather than "cancelled".
    std::map<std::string, ErrorCode> ended_shares_;
    std::deque<std::string> ended_order_;
};

}  // namespace tandem::broker
