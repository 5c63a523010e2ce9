// The web O&M sessions of the web face (docs/web.md): Host Ops' LogIn starts one, the creator's
// page attaches to it over the WebSocket. Each runs tandem-shell on its own PTY, started here as
// the broker's user with the broker's own configuration, exactly as tandem-sshd starts it for an
// SSH login. Only the login that opened a session may attach to it; a user may have at most
// web.max_om_sessions_per_user open.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "web_om_session.hpp"

namespace tandem::broker {

// How to start tandem-shell: its path (ssh.shell, else beside tandem-broker) and the
// configuration the broker itself was started with.
struct HookLaunch {
    std::string path;
    std::string config_path;
    std::vector<std::pair<std::string, std::string>> overrides;

    static HookLaunch for_broker(const Config& config, const CommandLine& command_line);
};

class WebOmSessions {
  public:
    WebOmSessions(BrokerContext& ctx, SessionRegistry& registry, HookLaunch launch);
    WebOmSessions(const WebOmSessions&) = delete;
    WebOmSessions& operator=(const WebOmSessions&) = delete;

    // LogIn: checks the grant and the user's cap, starts the hook; the new session's id.
    std::variant<std::string, ErrorCode> open(const WebOmOwner& owner, const std::string& account,
                                              TerminalSize size);
    // The session with that id if this login opened it; nullptr otherwise (one answer for
    // "none" and "someone else's").
    std::shared_ptr<WebOmSession> find(const std::string& id, const std::string& user,
                                       const std::string& login_id) const;
    // The user's live sessions, oldest first.
    std::vector<std::shared_ptr<WebOmSession>> of_user(const std::string& user) const;

    void end_all(const std::string& why);
    std::size_t size() const { return sessions_.size(); }

  private:
    HookInvocation invocation(const WebOmOwner& owner, const std::string& account,
                              const std::string& id) const;

    BrokerContext& ctx_;
    SessionRegistry& registry_;
    HookLaunch launch_;
    std::map<std::string, std::shared_ptr<WebOmSession>> sessions_;
};

}  // namespace tandem::broker
