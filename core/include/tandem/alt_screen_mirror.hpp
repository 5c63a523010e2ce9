// Mirrors what a full-screen program draws on the alternate screen, so the session hook can
// overlay its one-line prompt (or a notice) and then restore the screen exactly.
// On the main screen the hook uses the user's terminal's own alternate screen for that
// (?1049h ... ?1049l restores the main screen exactly), so libvterm runs only while the
// alternate screen is active: plain output floods stay cheap.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "tandem/terminal_modes.hpp"

namespace tandem {

class ScreenState;

class AltScreenMirror : private TerminalModes::Listener {
  public:
    // whole_screen: mirror the main screen too (a join viewer), so an overlay on the main screen
    // can show the screen behind its lines. That screen is read only when an overlay opens, and
    // libvterm parses 7-60 MB/s: output is kept and parsed when the screen is read, and of a
    // flood only the newest kKeptTail bytes are (enough to fill any screen with its last lines).
    AltScreenMirror(int rows, int cols, bool whole_screen = false);
    static constexpr std::size_t kMaxUnparsed = 1024 * 1024;
    static constexpr std::size_t kKeptTail = 256 * 1024;
    ~AltScreenMirror() override;

    // Every chunk of host output, in order.
    void feed(std::string_view host_output);
    void resize(int rows, int cols);

    bool alt_screen_active() const { return modes_.alt_screen(); }
    bool mirrors_main_screen() const { return whole_screen_; }
    const TerminalModes& modes() const { return modes_; }
    int rows() const { return rows_; }
    int cols() const { return cols_; }

    // Bytes that repaint rows [first_row, last_row) of the alternate screen exactly (text,
    // colours, attributes), then restore the cursor position, pen and visibility.
    // Only meaningful while alt_screen_active(), or always with whole_screen (then the screen
    // the host shows now).
    std::string repaint_rows(int first_row, int last_row) const;

  private:
    void alt_screen_changed(bool active, std::size_t offset_after) override;
    void parse_unparsed() const;

    int rows_;
    int cols_;
    bool whole_screen_;
    TerminalModes modes_;
    // Live only while the alternate screen is active, or always with whole_screen.
    std::unique_ptr<ScreenState> screen_;
    mutable std::string unparsed_;    // whole_screen: output not given to screen_ yet
    std::string_view current_chunk_;  // chunk being fed, for the listener's offsets
    std::size_t fed_upto_ = 0;        // bytes of current_chunk_ already given to screen_
};

}  // namespace tandem
