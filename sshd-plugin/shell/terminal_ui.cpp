#include "terminal_ui.hpp"

#include <algorithm>

namespace tandem {

std::string TerminalUi::show_notice(const std::vector<std::string>& lines, bool keep,
                                    Clock::time_point now) {
    notice_kept_ = keep;
    notice_until_ = keep ? now + std::chrono::hours(24) : now + kNoticeTime;
    notice_lines_ = lines;
    notice_aside_ = false;
    return overlay_.show(lines);
}

std::string TerminalUi::notice_step_aside(Clock::time_point now) {
    if (!notice_gives_way()) return {};
    notice_aside_ = true;
    last_output_ = now;
    return overlay_.close();
}

std::optional<TerminalUi::Clock::time_point> TerminalUi::notice_return_at() const {
    if (!notice_aside_ || !notice_until_) return std::nullopt;
    return std::min(last_output_ + kQuietBeforeReturn, *notice_until_);
}

std::string TerminalUi::notice_return(Clock::time_point now) {
    if (!notice_aside_ || !notice_until_) return {};
    if (now >= *notice_until_) {
        forget_notice();
        return {};
    }
    if (now < last_output_ + kQuietBeforeReturn) return {};
    notice_aside_ = false;
    return overlay_.show(notice_lines_);
}

std::string TerminalUi::show_prompt(const std::vector<std::string>& lines) {
    return overlay_.show(lines);
}

std::string TerminalUi::redraw_after_resize(const std::vector<std::string>& lines) {
    return overlay_.redraw_after_resize(lines);
}

std::string TerminalUi::close() {
    forget_notice();
    return overlay_.close();
}

std::optional<TerminalUi::Clock::time_point> TerminalUi::notice_deadline() const {
    if (!notice_until_ || notice_kept_) return std::nullopt;
    return notice_until_;
}

bool TerminalUi::key_closes_notice(std::string& out) {
    if (!notice_until_) return false;
    const bool swallow = notice_kept_;
    out += close();
    return swallow;
}

std::string TerminalUi::reset() {
    std::string out = close();
    const auto& modes = mirror_.modes();
    if (modes.alt_screen()) out += "\x1b[?1049l";
    out += "\x1b[0m";
    if (!modes.cursor_visible()) out += "\x1b[?25h";
    if (modes.app_cursor_keys()) out += "\x1b[?1l";
    if (modes.app_keypad()) out += "\x1b>";
    if (modes.bracketed_paste()) out += "\x1b[?2004l";
    if (modes.mouse_tracking() != 0) out += "\x1b[?" + std::to_string(modes.mouse_tracking()) + "l";
    if (modes.mouse_encoding() != 0) out += "\x1b[?" + std::to_string(modes.mouse_encoding()) + "l";
    if (modes.focus_events()) out += "\x1b[?1004l";
    return out;
}

}  // namespace tandem
