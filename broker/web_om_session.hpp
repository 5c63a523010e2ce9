// One web O&M session: a creator working in the browser (docs/web.md, Host Ops → LogIn). The
// broker starts the very session hook SSH logins run — tandem-shell on a PTY of its own, as the
// service user — so grant checks, the host-key pin, recording, audit, keepalive (T_514) and
// sharing are the same code. This object is the browser's terminal on that PTY: the page's
// keys and window size go in, the PTY's output comes out (with a screen kept for a reload), and
// the creator's sharing commands go to the session's LiveSession like the hook's escape prompt.
// The session belongs to the login that opened it; when its page is gone for longer than
// web.om_grace, the hook is hung up and the session ends (and with it the share).
#pragma once

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "screen_feed.hpp"
#include "session_registry.hpp"
#include "tandem/hook_process.hpp"
#include "tandem/session_command.hpp"
#include "viewer.hpp"

namespace tandem::broker {

struct WebOmOwner {
    std::string user;
    std::string login_id;  // LoginSessions::Login::id: only this login may attach
    std::string from;      // the browser's address
};

class WebOmSession : public std::enable_shared_from_this<WebOmSession>, public CreatorConsole {
  public:
    static constexpr std::size_t kMaxPendingInput = 1024 * 1024;

    WebOmSession(BrokerContext& ctx, SessionRegistry& registry, std::string id, WebOmOwner owner,
                 std::string account, HookProcess process, TerminalSize size);
    ~WebOmSession() override;

    // Starts reading the PTY and the grace period (the page has not attached yet).
    // `finished` runs once, after the hook has exited and the page was told.
    void start(std::function<void(const std::string& id)> finished);

    const std::string& id() const { return id_; }
    const WebOmOwner& owner() const { return owner_; }
    const std::string& account() const { return account_; }
    UnixTime started_at() const { return started_at_; }
    bool ended() const { return ending_; }
    int cols() const { return screen_.cols(); }
    int rows() const { return screen_.rows(); }

    // The page (re)attaches: a previous page of the same login is ended (a reload), this one
    // gets the session's details, the current screen and the panel's state.
    void attach(std::shared_ptr<Viewer> page);
    void detach(const Viewer* page);
    void send_snapshot(const Viewer* page);  // the page fell behind and drained

    void input(std::string_view bytes);
    void resize(int cols, int rows);
    // share [ttl], unshare, who, agree, refuse, take (to the LiveSession, as the creator) and
    // exit (ends the session). Returns the reply.
    nlohmann::json command(SessionCommand command, const nlohmann::json& message);

    // Hangs the hook up (Exit session, grace over, broker stopping).
    void end(const std::string& why);

    // CreatorConsole: what the LiveSession tells its creator.
    void on_notice(const nlohmann::json& notice) override;
    void on_end(const std::string& reason, std::optional<ErrorCode> code) override;

    // Called by the registry when the hook registers this session.
    void bind(const std::shared_ptr<LiveSession>& live);

  private:
    void read();
    void schedule_parse();
    void write_input();
    void send_state();
    void start_grace();
    void on_pty_closed();
    void reap(int attempts);
    void finish(int status);

    BrokerContext& ctx_;
    SessionRegistry& registry_;
    std::string id_;
    WebOmOwner owner_;
    std::string account_;
    HookProcess process_;
    boost::asio::posix::stream_descriptor pty_;
    boost::asio::steady_timer grace_;
    boost::asio::steady_timer reaper_;
    ScreenFeed screen_;
    bool parse_scheduled_ = false;
    bool state_scheduled_ = false;
    UnixTime started_at_;

    std::shared_ptr<Viewer> page_;
    std::weak_ptr<LiveSession> live_;
    std::string read_buffer_;
    std::string pending_input_;
    std::string writing_input_;
    bool writing_ = false;
    bool pty_closed_ = false;
    bool ending_ = false;
    bool finished_ = false;
    std::string end_reason_ = "exit";
    std::optional<ErrorCode> end_code_;
    std::function<void(const std::string&)> on_finished_;
};

// "host:port" invitees ssh to: ssh.public_address, else ssh.listen's port on the host of
// web.public_url when ssh.listen is a wildcard. "" when unknown.
std::string web_om_join_address(const Config& config);

// {"reason","code"?,"text"} for a page whose session ended this way.
nlohmann::json web_om_end_message(const std::string& reason, std::optional<ErrorCode> code);

}  // namespace tandem::broker
