#include "share_link.hpp"

#include <poll.h>

#include <ctime>

#include "event_loop.hpp"
#include "tandem/errors.hpp"
#include "tandem/join_line.hpp"
#include "tandem/json_object.hpp"
#include "tandem/log.hpp"

namespace tandem {
namespace {

using nlohmann::json;
constexpr auto kReconnectEvery = std::chrono::seconds(2);

std::string utc_time(std::int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M UTC", &tm);
    return buffer;
}

}  // namespace

std::optional<std::int64_t> parse_share_ttl(const std::string& text) {
    auto d = parse_duration(text);
    if (!d || d->count() < 1000) return std::nullopt;
    return std::chrono::duration_cast<std::chrono::seconds>(*d).count();
}

ShareLink::ShareLink(const Config& config, ShareIdentity identity, int rows, int cols)
    : identity_(std::move(identity)),
      rows_(rows),
      cols_(cols),
      link_(config.broker_socket, config.broker_uid) {
    connect();
}

bool ShareLink::connect() {
    if (!link_.connect()) return false;
    link_.send(FrameType::hello, json{{"v", kWireProtocolVersion},
                                      {"role", "session"},
                                      {"session", identity_.session_id},
                                      {"user", identity_.user},
                                      {"account", identity_.account},
                                      {"client", identity_.client},
                                      {"cols", cols_},
                                      {"rows", rows_}}
                                     .dump());
    // A (re)registered session starts with the newest output so joiners get a real screen.
    if (!tail_.empty()) link_.send_output(tail_);
    if (!controller_.empty()) {
        controller_.clear();  // a new registration starts with the creator in control
        events_.push_back({ShareEvent::Kind::control, {}, identity_.user});
    }
    log::info("session " + identity_.session_id + " registered with the broker");
    return true;
}

short ShareLink::poll_events() const {
    if (!link_.connected()) return 0;
    const bool want_out = link_.wants_write() || link_.gap_pending();
    return static_cast<short>(POLLIN | (want_out ? POLLOUT : 0));
}

void ShareLink::on_poll(short revents) {
    if (revents & POLLOUT) {
        link_.on_writable();
        // The flood may be over: without this the broker would wait for output that may never
        // come to learn what the screen looks like now.
        if (link_.gap_pending() && link_.has_room()) link_.resume_with(tail_);
    }
    if (revents & (POLLIN | POLLHUP | POLLERR)) {
        const bool was_connected = link_.connected();
        link_.on_readable();
        while (auto frame = link_.next_frame()) handle(*frame);
        if (was_connected && !link_.connected()) {
            log::warn("broker connection lost; the session continues unshared");
            if (!controller_.empty()) {
                controller_.clear();
                events_.push_back({ShareEvent::Kind::control, {}, identity_.user});
            }
            lines({"Sharing stopped: the broker went away. Your session continues."});
        }
    }
}

void ShareLink::tick(Clock::time_point now) {
    if (link_.reconnect_due(now, kReconnectEvery)) connect();
}

void ShareLink::on_output(std::string_view bytes) {
    // The tail is kept whether or not the broker is there: it is what a reconnect replays.
    if (bytes.size() >= kTailBytes) {
        tail_.assign(bytes.substr(bytes.size() - kTailBytes));
    } else {
        if (tail_.size() + bytes.size() > 2 * kTailBytes) tail_.erase(0, tail_.size() - kTailBytes);
        tail_.append(bytes);
    }
    if (link_.gap_pending()) {
        // Output was dropped for a slow broker: resume with the newest output (it includes
        // these bytes), so the broker rebuilds the screen as it is now.
        if (link_.has_room()) link_.resume_with(tail_);
        return;
    }
    link_.send_output(bytes);
}

void ShareLink::on_resize(int rows, int cols) {
    rows_ = rows;
    cols_ = cols;
    link_.send(FrameType::resize, json{{"cols", cols}, {"rows", rows}}.dump());
}

std::vector<std::string> ShareLink::command(SessionCommand command, const std::string& argument) {
    if (!is_creator_command(command)) return {user_message(ErrorCode::T_304_unknown_command)};
    if (!link_.connected() && !connect()) return {user_message(ErrorCode::T_701_broker_down)};
    json cmd = {{"id", next_id_++}, {"cmd", std::string(to_string(command))}};
    if (command == SessionCommand::share && !argument.empty()) {
        auto ttl = parse_share_ttl(argument);
        if (!ttl) return {user_message(ErrorCode::T_707_invite_ttl_too_long)};
        cmd["ttl"] = *ttl;
    }
    link_.send(FrameType::command, cmd.dump());
    return {};
}

void ShareLink::handle(const Frame& frame) {
    switch (frame.type) {
        case FrameType::reply:
            return handle_reply(parse_json_object(frame.payload).value_or(json::object()));
        case FrameType::input:
            // Hook-side half of rule 6: only while an invitee controls, per the broker's word.
            if (!controller_.empty())
                events_.push_back({ShareEvent::Kind::input, {}, frame.payload});
            return;
        case FrameType::notice: {
            auto j = parse_json_object(frame.payload).value_or(json::object());
            if (j.value("event", "") == "control") {
                const bool creator = j.value("creator", true);
                std::string next = creator ? std::string() : j.value("controller", "");
                if (next != controller_) {
                    controller_ = next;
                    events_.push_back(
                        {ShareEvent::Kind::control, {}, creator ? identity_.user : controller_});
                }
            }
            if (auto text = j.value("text", ""); !text.empty()) lines({text});
            return;
        }
        case FrameType::end:
            // tandem-admin terminate, passed on by the broker: the relay confirms the order in
            // the store before ending the session, so the frame alone ends nothing.
            if (parse_json_object(frame.payload).value_or(json::object()).value("code", "") ==
                error_info(ErrorCode::T_320_session_terminated).id)
                events_.push_back({ShareEvent::Kind::terminate, {}, {}});
            return;
        default:
            return;
    }
}

void ShareLink::handle_reply(const json& reply) {
    if (reply.value("id", 0) == 0) return;  // the registration's acknowledgement
    if (!reply.value("ok", false)) {
        lines({reply.value("text", user_message(ErrorCode::T_103_internal))});
        return;
    }
    if (reply.contains("token")) {
        const std::string token = reply.value("token", "");
        std::vector<std::string> out = {
            "Shared until " + utc_time(reply.value("expires_at", std::int64_t{0})) +
                ". Invite URL (for anyone holding a grant on " + identity_.account + "):",
            reply.value("url", ""),
        };
        if (!identity_.join_address.empty())
            out.push_back("Or over SSH: " + ssh_join_line(identity_.join_address, token));
        out.push_back("Joiners see your current screen at once. unshare ends it for everyone.");
        lines(std::move(out), true);
        return;
    }
    if (reply.contains("participants")) {
        std::vector<std::string> out;
        for (const auto& p : reply["participants"])
            out.push_back(p.value("user", "?") + "  " + p.value("via", "?") + "  " +
                          p.value("from", "") +
                          (p.value("controller", false) ? "  (controls)" : ""));
        lines(std::move(out));
        return;
    }
    if (auto text = reply.value("text", ""); !text.empty()) lines({text});
}

void ShareLink::lines(std::vector<std::string> text, bool keep_open) {
    events_.push_back({ShareEvent::Kind::lines, std::move(text), {}, keep_open});
}

std::vector<ShareEvent> ShareLink::take_events() {
    std::vector<ShareEvent> out;
    out.swap(events_);
    return out;
}

void ShareLink::end(const std::string& reason, const std::string& code) {
    if (!link_.connected()) return;
    link_.send(FrameType::end, json{{"reason", reason}, {"code", code}}.dump());
    // Give the frame a moment to leave; the broker also notices the socket closing.
    EventLoop loop;
    loop.watch(link_.fd(), POLLOUT, [](short) {});
    for (int i = 0; i < 20 && link_.wants_write(); ++i) {
        loop.run_once(std::chrono::milliseconds(10));
        link_.on_writable();
    }
    link_.close();
}

}  // namespace tandem
