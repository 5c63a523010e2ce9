// The person's terminal as both the creator's relay and the join viewer draw on it: notices and
// the escape prompt in one overlay (output waits while it is open), when a notice closes, and
// the reset that hands the terminal back the way it was found. A timed notice never holds output
// back: output arriving under it makes it step aside, and it comes back for the rest of its time
// once the output pauses. Only the person's own actions (the prompt, the invite) hold output.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "prompt_overlay.hpp"
#include "tandem/alt_screen_mirror.hpp"

namespace tandem {

class TerminalUi {
  public:
    using Clock = std::chrono::steady_clock;
    // How long a notice stays over the screen unless a key closes it first.
    static constexpr std::chrono::milliseconds kNoticeTime{2500};
    // How long output must pause before a notice that stepped aside is drawn again.
    static constexpr std::chrono::milliseconds kQuietBeforeReturn{250};

    explicit TerminalUi(const AltScreenMirror& mirror) : mirror_(mirror), overlay_(mirror) {}

    bool overlay_open() const { return overlay_.is_open(); }

    // A notice over the screen until kNoticeTime passed or a key closes it; a kept notice (the
    // invite) stays until a key, and that key is swallowed. Returns the bytes to write.
    std::string show_notice(const std::vector<std::string>& lines, bool keep,
                            Clock::time_point now);
    // The escape prompt: its messages, then the line being typed, last.
    std::string show_prompt(const std::vector<std::string>& lines);
    std::string redraw_after_resize(const std::vector<std::string>& lines);
    // Closes the overlay, notice or prompt. "" when nothing was open.
    std::string close();

    // When the shown notice closes by itself; nullopt when none shows or it waits for a key.
    std::optional<Clock::time_point> notice_deadline() const;
    bool notice_showing() const { return notice_until_.has_value(); }
    // A key arrived while a notice shows: closes it into `out`. True when the key is swallowed.
    bool key_closes_notice(std::string& out);
    // The notice's time is up but its lines stay (they became the prompt's messages).
    void forget_notice() {
        notice_until_.reset();
        notice_kept_ = false;
        notice_aside_ = false;
    }

    // A timed notice is over the screen: output that arrives now should make it step aside.
    bool notice_gives_way() const {
        return notice_until_ && !notice_kept_ && !notice_aside_ && overlay_.is_open();
    }
    // Closes the overlay for the output about to be written; the notice keeps its deadline.
    std::string notice_step_aside(Clock::time_point now);
    // Output was written to the terminal (the notice, if aside, waits for a pause).
    void output_written(Clock::time_point now) {
        if (notice_aside_) last_output_ = now;
    }
    // When the notice that stepped aside may come back; nullopt when none is aside.
    std::optional<Clock::time_point> notice_return_at() const;
    // Draws the notice again if output paused long enough and its time is not up (then it is
    // forgotten). Returns the bytes to write.
    std::string notice_return(Clock::time_point now);

    // Closes the overlay and turns off what the session's programs turned on (per the mirror):
    // alternate screen, pen, hidden cursor, application keys, bracketed paste, mouse, focus.
    std::string reset();

  private:
    const AltScreenMirror& mirror_;
    PromptOverlay overlay_;
    std::optional<Clock::time_point> notice_until_;
    bool notice_kept_ = false;
    std::vector<std::string> notice_lines_;
    bool notice_aside_ = false;
    Clock::time_point last_output_{};
};

}  // namespace tandem
