// The creator's side of sharing (docs/sharing.md, docs/broker-protocol.md): registers the session
// with the broker, streams its output, carries the escape prompt's sharing commands, and
// brings back notices and the controlling invitee's keystrokes. The session never depends on
// it: with the broker down, sharing commands answer T_701 and the link retries in the
// background; after a reconnect, the newest output tail is replayed so the broker can rebuild
// the screen for later joiners.
#pragma once

#include <chrono>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tandem/broker_link.hpp"
#include "tandem/config.hpp"
#include "tandem/session_command.hpp"

namespace tandem {

struct ShareIdentity {
    std::string session_id;
    std::string user;
    std::string account;       // "root@web01"
    std::string client;        // "ssh 192.0.2.7:53422"
    std::string join_address;  // "host:port" invitees ssh to ("" = unknown)
};

struct ShareEvent {
    enum class Kind {
        lines,     // text for the person (a reply or a notice)
        input,     // keystrokes of the controlling invitee, for the host
        control,   // who controls changed: `text` is the controller's name
        terminate  // the broker says an administrator ended the session (check the store)
    };
    Kind kind;
    std::vector<std::string> lines;
    std::string text;
    bool keep_open = false;  // lines the person should read at leisure (the invite)
};

class ShareLink {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::size_t kTailBytes = 256 * 1024;

    ShareLink(const Config& config, ShareIdentity identity, int rows, int cols);

    // For the relay's poll(): -1 while disconnected.
    int fd() const { return link_.fd(); }
    short poll_events() const;
    void on_poll(short revents);
    // Reconnects when due; call once per loop pass.
    void tick(Clock::time_point now);

    void on_output(std::string_view bytes);
    void on_resize(int rows, int cols);

    // A creator's sharing command from the escape prompt (`share [TTL]`, `unshare`, `who`,
    // `agree`, `refuse`, `take`). Answers come back later as events; an immediate answer (broker
    // down, bad TTL, not a creator's command) is returned directly.
    std::vector<std::string> command(SessionCommand command, const std::string& argument);

    std::vector<ShareEvent> take_events();
    // Whether the creator's own keystrokes may reach the host (rule 6, hook side).
    bool creator_controls() const { return controller_.empty(); }
    const std::string& controller() const { return controller_; }

    // The session is over: tell the broker why (best effort, never waits long).
    void end(const std::string& reason, const std::string& code);

  private:
    bool connect();
    void handle(const Frame& frame);
    void handle_reply(const nlohmann::json& reply);
    void lines(std::vector<std::string> text, bool keep_open = false);

    ShareIdentity identity_;
    int rows_;
    int cols_;
    BrokerLink link_;
    std::string tail_;  // newest output, replayed after a reconnect
    int next_id_ = 1;
    std::string controller_;  // "" while the creator controls
    std::vector<ShareEvent> events_;
};

// Parses "30m", "2h", "900" for `share TTL`; nullopt when malformed.
std::optional<std::int64_t> parse_share_ttl(const std::string& text);

}  // namespace tandem
