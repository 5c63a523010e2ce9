// A session's screen as the broker keeps it for late joiners. libvterm parses 7-60 MB/s, far
// below what a relay carries, so output is appended to a backlog that is parsed in slices
// once output settles (LiveSession's screen pacing), and the fan-out to viewers never waits. A
// backlog past its bound (a flood) is cut to its newest tail and the screen rebuilt from that tail:
// after a text flood the visible screen is the same, and modes stay exact since TerminalModes sees
// every byte.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tandem/screen_state.hpp"
#include "tandem/terminal_modes.hpp"

namespace tandem::broker {

class ScreenFeed : private TerminalModes::Listener {
  public:
    static constexpr std::size_t kSliceBytes = 16 * 1024;
    static constexpr std::size_t kMaxBacklog = 1024 * 1024;
    static constexpr std::size_t kResyncTail = 256 * 1024;

    ScreenFeed(int rows, int cols);
    ScreenFeed(const ScreenFeed&) = delete;  // modes_ points back at this object
    ScreenFeed& operator=(const ScreenFeed&) = delete;

    // Host output in order. Returns true when a slice of parsing is due (schedule parse_slice).
    bool append(std::string_view output);
    // Output was lost before this point (the hook dropped it): rebuild from what follows.
    void gap();
    void resize(int rows, int cols);
    // Parses up to kSliceBytes; returns true while backlog remains.
    bool parse_slice();
    // Parses everything pending, then returns bytes that bring a fresh terminal of the same size
    // to the host's current screen and modes. Kept until the next output, gap or resize: the
    // viewers repainted in the same instant (a join, resyncs under load) share one render.
    std::shared_ptr<const std::string> snapshot();

    int rows() const { return screen_->rows(); }
    int cols() const { return screen_->cols(); }
    std::size_t backlog_bytes() const { return backlog_.size() - parsed_; }
    const ScreenState& screen() const { return *screen_; }

  private:
    void restart_from_tail(std::size_t keep);
    void alt_screen_changed(bool active, std::size_t offset_after) override;

    std::unique_ptr<ScreenState> screen_;
    TerminalModes modes_;
    std::string backlog_;
    std::size_t parsed_ = 0;
    // While a full-screen program has the alternate screen, the main screen is frozen; its
    // render, taken at the switch, lets a joiner's terminal hold it too, so that when the
    // program exits the joiner sees the creator's main screen come back, not their own.
    std::string main_screen_;
    std::vector<std::pair<bool, std::size_t>> switches_;  // alt-screen switches in a chunk
    std::shared_ptr<const std::string> snapshot_;         // of the screen as it is; or null
};

}  // namespace tandem::broker
