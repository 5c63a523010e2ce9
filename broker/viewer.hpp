// What a live session needs from anyone watching it, whatever carries the bytes (an SSH join
// hook over the broker socket, or a browser over WebSocket). Implementations bound their own
// queues: a viewer that falls behind drops its queued output and asks for a fresh snapshot,
// so it can never slow the session or the other viewers.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "tandem/errors.hpp"

namespace tandem::broker {

class Viewer {
  public:
    virtual ~Viewer() = default;
    // Output and snapshots are shared by every viewer of the session: one buffer per broadcast
    // or render, never copied.
    virtual void send_output(const std::shared_ptr<const std::string>& bytes) = 0;
    virtual void send_snapshot(const std::shared_ptr<const std::string>& bytes) = 0;
    virtual void send_resize(int cols, int rows) = 0;
    virtual void send_notice(const nlohmann::json& notice) = 0;
    // The viewer is removed: tell it why, flush, close. No call follows.
    virtual void send_end(const nlohmann::json& end) = 0;
};

// What a live session needs from its creator's hook.
class SessionHook {
  public:
    virtual ~SessionHook() = default;
    virtual void send_input(const std::string& bytes) = 0;  // the controller's keystrokes
    virtual void send_notice(const nlohmann::json& notice) = 0;
    // An administrator ended the session: the hook ends it with the code and reason.
    virtual void send_end(const nlohmann::json& end) = 0;
};

// The creator's page of a web O&M session: told everything the creator's hook is told (it
// shows notices in its own panel), and why the session ended.
class CreatorConsole {
  public:
    virtual ~CreatorConsole() = default;
    virtual void on_notice(const nlohmann::json& notice) = 0;
    virtual void on_end(const std::string& reason, std::optional<ErrorCode> code) = 0;
};

}  // namespace tandem::broker
