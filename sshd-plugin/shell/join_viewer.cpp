#include "join_viewer.hpp"

#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "byte_queue.hpp"
#include "escape_commands.hpp"
#include "escape_parser.hpp"
#include "event_loop.hpp"
#include "raw_terminal.hpp"
#include "signal_pipe.hpp"
#include "tandem/alt_screen_mirror.hpp"
#include "tandem/broker_link.hpp"
#include "tandem/errors.hpp"
#include "tandem/invite_codec.hpp"
#include "tandem/json_object.hpp"
#include "tandem/log.hpp"
#include "terminal_ui.hpp"
#include "user_output.hpp"

namespace tandem {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr std::size_t kHeldFrames = 256;  // then the socket waits (the broker resyncs us)
constexpr std::size_t kOutputLimit = 4 * 1024 * 1024;
// How long an invitee waits for a broker that went away (killed or restarted) to come back.
constexpr auto kReconnectWindow = std::chrono::seconds(60);
constexpr auto kReconnectEvery = std::chrono::seconds(1);

std::string trim(std::string s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    const auto last = s.find_last_not_of(" \t\r\n");
    return first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
}

// Waits (up to `limit`) for the broker's answer to hello: the first frame must be the reply.
std::optional<json> await_welcome(BrokerLink& link, std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    EventLoop loop;
    const auto broker = loop.watch(-1, POLLIN, [&link](short revents) {
        if (revents & POLLOUT) link.on_writable();
        if (revents & (POLLIN | POLLHUP | POLLERR)) link.on_readable();
    });
    while (link.connected()) {
        if (auto f = link.next_frame()) {
            if (f->type != FrameType::reply) return std::nullopt;
            return parse_json_object(f->payload).value_or(json::object());
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return std::nullopt;
        loop.update(broker, link.fd(),
                    static_cast<short>(POLLIN | (link.wants_write() ? POLLOUT : 0)));
        if (!loop.run_once(left)) return std::nullopt;
    }
    if (auto f = link.next_frame(); f && f->type == FrameType::reply)
        return parse_json_object(f->payload).value_or(json::object());
    return std::nullopt;
}

// Sends the viewer's hello (with the invite) on a freshly connected link.
using SendHello = std::function<void(BrokerLink&)>;

class ViewerLoop {
  public:
    ViewerLoop(ShellContext& ctx, BrokerLink& link, const json& welcome, SendHello hello)
        : ctx_(ctx),
          link_(link),
          hello_(std::move(hello)),
          size_(window_size(STDIN_FILENO)),
          mirror_(welcome.value("rows", 24), welcome.value("cols", 80), true),
          ui_(mirror_),
          parser_(ctx.config.session_escape_key),
          to_user_(kOutputLimit),
          creator_(welcome.value("creator", "?")),
          account_(welcome.value("account", "?")),
          session_cols_(welcome.value("cols", 80)),
          session_rows_(welcome.value("rows", 24)) {}

    int run() {
        RawTerminal raw(STDIN_FILENO, STDOUT_FILENO, ctx_.interactive);
        welcome_ =
            ("You joined " + creator_ + "'s session on " + account_ + " (read-only). " +
             escape_key_name(parser_.escape_key()) + " for commands: control, release, who, exit.");
        EventLoop loop;
        loop.watch(ctx_.signals.fd(), POLLIN, [this](short revents) {
            if (revents & POLLIN) handle_signals();
        });
        loop.watch(STDIN_FILENO, POLLIN, [this](short revents) {
            if (revents & (POLLIN | POLLHUP | POLLERR)) read_user();
        });
        const auto terminal = loop.watch(STDOUT_FILENO, 0, [](short) {});
        const auto broker = loop.watch(-1, 0, [this](short revents) {
            if (revents & POLLOUT) link_.on_writable();
            if (revents & (POLLIN | POLLHUP | POLLERR)) link_.on_readable();
        });
        reconnect_timer_ = loop.add_timer([this] { try_rejoin(); });
        loop_ = &loop;
        const auto notice_timer = loop.add_timer([this] {
            // Over the prompt the notice's lines are the prompt's messages: they stay.
            if (parser_.prompt_open())
                ui_.forget_notice();
            else
                close_overlay();
        });
        const auto notice_return_timer = loop.add_timer([this] {
            if (parser_.prompt_open())
                ui_.forget_notice();
            else if (!held_.empty() || link_.pending_frames())
                ui_.output_written(Clock::now());  // output is still waiting to be drawn
            else
                to_user_.append(ui_.notice_return(Clock::now()));
        });
        while (!done_) {
            loop.set_events(terminal, static_cast<short>(to_user_.empty() ? 0 : POLLOUT));
            loop.update(broker, link_.fd(),
                        static_cast<short>((paused() && !notice_may_step_aside() ? 0 : POLLIN) |
                                           (link_.wants_write() ? POLLOUT : 0)));
            if (const auto until = ui_.notice_deadline())
                loop.set_timer(notice_timer, *until);
            else
                loop.clear_timer(notice_timer);
            if (const auto at = ui_.notice_return_at())
                loop.set_timer(notice_return_timer, *at);
            else
                loop.clear_timer(notice_return_timer);
            // Decoded frames waiting (and nothing holding them back): do not wait.
            const bool ready = !paused() && (link_.pending_frames() || !held_.empty());
            if (!loop.run_once(ready ? std::optional(std::chrono::milliseconds(0)) : std::nullopt))
                break;
            // Frames already decoded are handled whether or not new bytes came: the snapshot
            // often arrives in the same read as the welcome. Nothing is drawn under an overlay.
            while (!done_) {
                if (paused()) {
                    // Output waits; an `end` must not wait behind a notice.
                    if (held_.size() < kHeldFrames)
                        if (auto frame = link_.next_frame()) {
                            if (frame->type == FrameType::end) {
                                handle(*frame);
                            } else {
                                // A notice steps aside for the screen (it comes back when the
                                // output pauses); only this person's prompt holds output.
                                if (is_screen(frame->type) && notice_may_step_aside())
                                    to_user_.append(ui_.notice_step_aside(Clock::now()));
                                held_.push_back(std::move(*frame));
                            }
                            continue;
                        }
                    break;
                }
                if (!held_.empty()) {
                    Frame frame = std::move(held_.front());
                    held_.pop_front();
                    handle(frame);
                    continue;
                }
                auto frame = link_.next_frame();
                if (!frame) break;
                handle(*frame);
            }
            if (!link_.connected() && !done_ && !link_.pending_frames() && !reconnecting_)
                start_reconnect();
            if (!to_user_.empty() && !to_user_.write_to(STDOUT_FILENO)) break;
        }
        // Leave the user's terminal as it was: main screen, cursor on, default modes.
        to_user_.append(ui_.reset() + "\r\n");
        write_all(STDOUT_FILENO, to_user_.front());
        raw.restore();
        if (!farewell_.empty()) print_line(farewell_);
        return status_;
    }

  private:
    bool paused() const { return ui_.overlay_open() || to_user_.full(); }
    // A notice is over the screen and output arriving would make it step aside: the broker's
    // socket is still read while one shows.
    bool notice_may_step_aside() const {
        return ui_.notice_gives_way() && !parser_.prompt_open() && held_.size() < kHeldFrames;
    }
    static bool is_screen(FrameType type) {
        return type == FrameType::output || type == FrameType::snapshot;
    }

    void handle(const Frame& frame) {
        switch (frame.type) {
            case FrameType::snapshot:
            case FrameType::output:
                mirror_.feed(frame.payload);
                ui_.output_written(Clock::now());
                to_user_.append(frame.payload);
                if (frame.type == FrameType::snapshot && !welcome_.empty()) {
                    // The screen first (joiners see it at once), then how to use it.
                    notice(welcome_);
                    welcome_.clear();
                    check_size();
                }
                return;
            case FrameType::resize: {
                auto j = parse_json_object(frame.payload).value_or(json::object());
                session_cols_ = j.value("cols", session_cols_);
                session_rows_ = j.value("rows", session_rows_);
                mirror_.resize(session_rows_, session_cols_);
                check_size();
                return;
            }
            case FrameType::notice: {
                auto j = parse_json_object(frame.payload).value_or(json::object());
                if (j.value("event", "") == "control") controlling_ = j.value("you", false);
                notice(j.value("text", ""));
                return;
            }
            case FrameType::reply: {
                auto j = parse_json_object(frame.payload).value_or(json::object());
                if (j.contains("participants")) {
                    std::vector<std::string> lines;
                    for (const auto& p : j["participants"])
                        lines.push_back(p.value("user", "?") + " (" + p.value("via", "?") + ")" +
                                        (p.value("controller", false) ? " controls" : ""));
                    notice_lines(lines);
                } else if (j.contains("text")) {
                    notice(j.value("text", ""));
                }
                return;
            }
            case FrameType::end: {
                auto j = parse_json_object(frame.payload).value_or(json::object());
                if (j.value("reconnect", false)) {  // the broker restarts; the session goes on
                    link_.close();
                    start_reconnect();
                    return;
                }
                // Leaving by one's own `exit` carries no code; any end with a code removed us.
                const bool left = j.value("reason", "") == "exit" && !j.contains("code");
                finish(j.value("text", "The shared session has ended."), left ? 0 : 1);
                return;
            }
            default:
                return;
        }
    }

    void read_user() {
        char buffer[4096];
        ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
            done_ = true;  // the invitee's ssh went away
            return;
        }
        if (n < 0) return;
        std::string_view input(buffer, static_cast<std::size_t>(n));
        while (!input.empty() && !done_) {
            std::vector<EscapeAction> actions;
            input.remove_prefix(parser_.feed(input, actions));
            for (const auto& a : actions) handle_key_action(a);
        }
    }

    void handle_key_action(const EscapeAction& a) {
        switch (a.kind) {
            case EscapeAction::Kind::to_host:
                // The broker drops input from anyone but the controller anyway.
                if (controlling_) link_.send(FrameType::input, a.text);
                return;
            case EscapeAction::Kind::prompt_open:
            case EscapeAction::Kind::prompt_edit:
                show_prompt();
                return;
            case EscapeAction::Kind::prompt_submit:
                run_command(parse_prompt_line(a.text));
                return;
            case EscapeAction::Kind::prompt_close:
                close_overlay();
                return;
        }
    }

    void run_command(const PromptLine& line) {
        if (line.command && is_invitee_command(*line.command) && line.argument.empty()) {
            link_.send(
                FrameType::command,
                json{{"id", ++command_id_}, {"cmd", std::string(to_string(*line.command))}}.dump());
            parser_.close_prompt();
            prompt_lines_.clear();
            close_overlay();
            return;
        }
        if (line.word == "help" || line.word.empty()) {
            prompt_lines_ = {"control  apply for control of the session",
                             "release  hand control back to the creator",
                             "who      list the participants",
                             "exit     leave the session (the link stays valid)"};
        } else {
            prompt_lines_ = {user_message(ErrorCode::T_304_unknown_command)};
        }
        show_prompt();
    }

    void show_prompt() {
        std::vector<std::string> lines = prompt_lines_;
        lines.push_back("tandem (join)> " + parser_.line());
        to_user_.append(ui_.show_prompt(lines));
    }

    void notice(const std::string& text) { notice_lines({text}); }

    void notice_lines(const std::vector<std::string>& lines) {
        if (lines.empty()) return;
        if (parser_.prompt_open()) {
            prompt_lines_ = lines;
            show_prompt();
            return;
        }
        to_user_.append(ui_.show_notice(lines, false, Clock::now()));
    }

    void close_overlay() { to_user_.append(ui_.close()); }

    void check_size() {
        if (size_.cols < session_cols_ || size_.rows < session_rows_)
            notice("Your terminal is " + std::to_string(size_.cols) + "x" +
                   std::to_string(size_.rows) + " but the session is " +
                   std::to_string(session_cols_) + "x" + std::to_string(session_rows_) +
                   "; enlarge it to see the whole screen.");
    }

    void handle_signals() {
        auto pending = ctx_.signals.drain();
        if (pending.terminate) done_ = true;
        if (pending.window_changed) {
            size_ = window_size(STDIN_FILENO);
            check_size();
        }
    }

    // The broker went away without ending the share (killed, or restarting): the screen stays as
    // it was and the invitee is told; every second the same invite is tried again, until the
    // share is back, is refused for good, or kReconnectWindow passes.
    void start_reconnect() {
        reconnecting_ = true;
        controlling_ = false;
        held_.clear();
        reconnect_until_ = Clock::now() + kReconnectWindow;
        notice("The bastion's broker went away; reconnecting...");
        loop_->set_timer(reconnect_timer_, Clock::now() + kReconnectEvery);
    }

    void try_rejoin() {
        if (done_) return;
        link_.close();
        if (link_.connect()) {
            hello_(link_);
            if (auto welcome = await_welcome(link_, std::chrono::seconds(3))) {
                if (welcome->value("ok", false)) return rejoined(*welcome);
                // T_717: the broker is back but the creator's hook is not yet; anything else
                // (cancelled, ended, revoked) is final.
                const std::string code = welcome->value("code", "");
                if (code != error_info(ErrorCode::T_717_share_resuming).id)
                    return finish(
                        welcome->value("text", user_message(ErrorCode::T_705_session_ended)), 1);
            }
            link_.close();
        }
        if (Clock::now() >= reconnect_until_)
            return finish(user_message(ErrorCode::T_716_join_unavailable), 1);
        loop_->set_timer(reconnect_timer_, Clock::now() + kReconnectEvery);
    }

    void rejoined(const json& welcome) {
        reconnecting_ = false;
        log::info(ctx_.user.name + " rejoined the shared session after a broker restart");
        session_cols_ = welcome.value("cols", session_cols_);
        session_rows_ = welcome.value("rows", session_rows_);
        mirror_.resize(session_rows_, session_cols_);
        close_overlay();  // the snapshot that follows repaints the whole screen
        welcome_ = "Reconnected to " + creator_ + "'s session (read-only).";
    }

    void finish(const std::string& text, int status) {
        farewell_ = text;
        status_ = status;
        done_ = true;
    }

    ShellContext& ctx_;
    BrokerLink& link_;
    SendHello hello_;
    EventLoop* loop_ = nullptr;
    EventLoop::Id reconnect_timer_{};
    bool reconnecting_ = false;
    Clock::time_point reconnect_until_{};
    TerminalSize size_;
    AltScreenMirror mirror_;
    TerminalUi ui_;
    EscapeParser parser_;
    ByteQueue to_user_;
    std::string creator_;
    std::string account_;
    int session_cols_;
    int session_rows_;
    bool controlling_ = false;
    bool done_ = false;
    int status_ = 0;
    int command_id_ = 0;
    std::string farewell_;
    std::vector<std::string> prompt_lines_;
    std::string welcome_;     // shown once the first snapshot is on screen
    std::deque<Frame> held_;  // frames read while an overlay holds output back
};

}  // namespace

int JoinViewer::run() {
    const std::string token = trim(token_);
    if (!looks_like_token(token)) {
        print_error(ErrorCode::T_702_invite_invalid);
        return 1;
    }
    BrokerLink link(ctx_.config.broker_socket, ctx_.config.broker_uid);
    if (!link.connect()) {
        print_error(ErrorCode::T_716_join_unavailable);
        return 1;
    }
    const SendHello hello = [this, token](BrokerLink& link) {
        const auto size = window_size(STDIN_FILENO);
        link.send(
            FrameType::hello,
            json{{"v", kWireProtocolVersion},
                 {"role", "viewer"},
                 {"user", ctx_.user.name},
                 {"token", token},
                 {"via", "ssh"},
                 // The broker says "via ssh from ADDRESS" itself.
                 {"from", ctx_.client.rfind("ssh ", 0) == 0 ? ctx_.client.substr(4) : ctx_.client},
                 {"cols", size.cols},
                 {"rows", size.rows}}
                .dump());
    };
    hello(link);
    auto welcome = await_welcome(link, std::chrono::seconds(10));
    if (!welcome) {
        print_error(ErrorCode::T_716_join_unavailable);
        return 1;
    }
    if (!welcome->value("ok", false)) {
        // The broker's sentence is the catalogue's; show it as is.
        print_line(welcome->value("text", user_message(ErrorCode::T_702_invite_invalid)));
        log::info("join refused for " + ctx_.user.name + ": " + welcome->value("code", "?"));
        return 1;
    }
    log::info(ctx_.user.name + " joined a shared session on " + welcome->value("account", "?"));
    return ViewerLoop(ctx_, link, *welcome, hello).run();
}

}  // namespace tandem
