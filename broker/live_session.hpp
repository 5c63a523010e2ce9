// One live terminal session as the broker sees it: the creator's hook, the screen for late
// joiners, the share and its invites, the participants and who controls (docs/sharing.md).
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>

#include "broker_context.hpp"
#include "screen_feed.hpp"
#include "tandem/control_arbiter.hpp"
#include "tandem/errors.hpp"
#include "tandem/session_command.hpp"
#include "viewer.hpp"

namespace tandem::broker {

struct SessionInfo {
    std::string id;       // the hook's session uuid
    std::string creator;  // user name
    std::string account;  // "root@web01"
    std::string client;   // where the creator is ("ssh 10.0.0.5")
    int cols = 80;
    int rows = 24;
};

struct JoinRequest {
    std::string user;
    std::string via;   // "ssh" or "web"
    std::string from;  // client address
};

class LiveSession : public std::enable_shared_from_this<LiveSession> {
  public:
    LiveSession(BrokerContext& ctx, SessionInfo info, std::shared_ptr<SessionHook> hook);

    const SessionInfo& info() const { return info_; }
    const std::optional<std::string>& share_id() const { return share_id_; }
    bool ended() const { return ended_; }

    // From the creator's hook.
    void on_output(std::string_view bytes);
    void on_gap(std::string_view replay);  // output was lost; replay = the newest output
    void on_resize(int cols, int rows);
    nlohmann::json on_command(const nlohmann::json& command);
    // The session is over (hook ended or vanished): the share ends, everyone is told why.
    void end(const std::string& reason, std::optional<ErrorCode> code);
    // The broker stops but the session goes on (its hook re-registers with the next broker):
    // viewers and watchers are told to reconnect; the share stays in the store as it is.
    void suspend();
    // The share a previous broker made for this session (read from the store at start): the
    // same invite links work again; the creator controls and is told.
    void resume_share(const std::string& share_id);
    // An administrator ends the session (tandem-admin terminate): the hook is told to end it,
    // and every participant is removed with T_320 and the reason.
    void terminate(const std::string& actor, const std::string& reason);

    // From viewers. admit() checks the share and the cap (the registry checked invite and grant).
    std::variant<ParticipantId, ErrorCode> admit(const JoinRequest& request,
                                                 std::shared_ptr<Viewer> viewer);
    // Why admit() would refuse now (ended, not shared, cap reached), or nothing.
    std::optional<ErrorCode> admission_refusal() const;
    nlohmann::json welcome() const;
    // How many participants joined by each way in ("ssh", "web").
    std::map<std::string, std::size_t> participants_by_via() const;

    // tandem-admin watch (live_session_operator.cpp): a read-only view for an operator, whether
    // or not the session is shared. Announced to everyone in it unless metrics.silent_watch.
    // Returns the watcher's id, or nothing when the session has ended.
    std::optional<unsigned> watch(const std::string& actor, std::shared_ptr<Viewer> viewer);
    nlohmann::json watch_welcome() const;
    void send_watcher_snapshot(unsigned id);
    void on_watcher_gone(unsigned id);
    std::size_t watcher_count() const { return watchers_.size(); }
    void send_snapshot(const ParticipantId& id);
    void on_viewer_input(const ParticipantId& id, std::string_view bytes);
    nlohmann::json on_viewer_command(const ParticipantId& id, const nlohmann::json& command);
    void on_viewer_gone(const ParticipantId& id);
    // Ejects participants whose grant was revoked, or everyone when the creator's was
    // (called from a periodic timer).
    void recheck_grants();

    // A web O&M session's page (weak: the page's session owns itself).
    void set_console(std::weak_ptr<CreatorConsole> console) { console_ = std::move(console); }
    // What the creator's page shows beside the terminal: {"shared", "share"?, "controller",
    // "participants" (as who()), "pending" (who applies for control, or null)}.
    nlohmann::json console_state() const;

  private:
    static inline const ParticipantId kCreator = "c";

    struct Participant {
        std::string user;
        std::string via;
        std::string from;
        std::shared_ptr<Viewer> viewer;
    };

    nlohmann::json share(const nlohmann::json& command);
    void unshare(const std::string& reason, ErrorCode code, const std::string& text = {});
    nlohmann::json control_reply(ControlOutcome outcome, SessionCommand command,
                                 const ParticipantId& actor);
    // Reads the store (throws on a store error).
    bool creator_holds_grant() const;
    void remove(const ParticipantId& id, const nlohmann::json& end);
    // Writes the share, participants and controller to the store for `tandem-admin sessions
    // --live` (live_session_store.cpp); a store error is logged, never fails the session.
    void publish_sharing();
    void broadcast_notice(const nlohmann::json& notice);
    void tell_creator(const nlohmann::json& notice);
    void announce_control(const std::string& text);
    std::string display(const ParticipantId& id) const;
    nlohmann::json who() const;
    // Screen pacing (screen_pacing.cpp): host output is parsed for late joiners only once the
    // output has settled, never during a flood, so no session pays for a screen nobody asks for
    // while it streams; a join parses what is pending (at most ScreenFeed::kMaxBacklog).
    void feed_screen(std::string_view bytes);
    void arm_settle();
    void on_settle_tick();
    void schedule_parse();
    // Every watcher is sent `end` and let go.
    void end_watchers(const nlohmann::json& end);

    BrokerContext& ctx_;
    SessionInfo info_;
    std::shared_ptr<SessionHook> hook_;
    std::weak_ptr<CreatorConsole> console_;
    ScreenFeed screen_;
    bool parse_scheduled_ = false;
    boost::asio::steady_timer settle_timer_;
    bool settle_armed_ = false;
    std::size_t recent_output_ = 0;    // output bytes since the last settle tick
    bool resync_after_parse_ = false;  // a gap: repaint every viewer once the screen is rebuilt
    bool ended_ = false;

    std::optional<std::string> share_id_;
    std::optional<ControlArbiter> arbiter_;  // exists while shared
    std::map<ParticipantId, Participant> participants_;
    unsigned next_participant_ = 1;

    struct Watcher {
        std::string actor;
        std::shared_ptr<Viewer> viewer;
        bool announced = true;  // admin.announce_watch when the watch began
    };
    std::map<unsigned, Watcher> watchers_;
    unsigned next_watcher_ = 1;
};

}  // namespace tandem::broker
