#include "prompt_overlay.hpp"

#include <algorithm>

namespace tandem {
namespace {

std::string move_to_row(int row0) {
    return "\x1b[" + std::to_string(row0 + 1) + ";1H";
}

// Printable ASCII only: nothing the host or a peer wrote can smuggle escapes through a notice.
std::string printable(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) out.push_back((c >= 0x20 && c < 0x7f) ? c : '?');
    return out;
}

// Long lines (an invite URL) are split into rows that never reach the last column, so drawing
// over a full-screen program can neither autowrap nor scroll it.
std::vector<std::string> split_rows(const std::vector<std::string>& lines, int cols) {
    const std::size_t width = cols > 1 ? static_cast<std::size_t>(cols - 1) : 1;
    std::vector<std::string> rows;
    for (const auto& line : lines) {
        const std::string text = printable(line);
        if (text.empty()) rows.emplace_back();
        for (std::size_t at = 0; at < text.size(); at += width)
            rows.push_back(text.substr(at, width));
    }
    if (rows.empty()) rows.emplace_back();
    return rows;
}

}  // namespace

std::string PromptOverlay::clear_rows(int first, int last) const {
    if (first >= last) return {};
    if (!own_alt_screen_ || mirror_.mirrors_main_screen()) return mirror_.repaint_rows(first, last);
    std::string out;
    for (int row = first; row < last; ++row) out += move_to_row(row) + "\x1b[2K";
    return out;
}

std::string PromptOverlay::show(const std::vector<std::string>& lines) {
    const int rows = std::max(mirror_.rows(), 1);
    const int cols = std::max(mirror_.cols(), 2);
    if (!open_ ? !mirror_.alt_screen_active() : own_alt_screen_) return show_on_scratch(lines);
    return show_rows(split_rows(lines, cols), rows, cols);
}

// The terminal's own alternate screen is blank and ours: lines are written as plain text and
// the terminal wraps them, so a long URL stays one run of characters that copies whole.
std::string PromptOverlay::show_on_scratch(const std::vector<std::string>& lines) {
    const int rows = std::max(mirror_.rows(), 1);
    const int cols = std::max(mirror_.cols(), 2);
    std::string out;
    if (!open_) {
        open_ = true;
        own_alt_screen_ = true;
        out += "\x1b[?1049h";
    }
    int needed = 0;
    for (const auto& line : lines)
        needed += std::max(1, static_cast<int>((line.size() + cols - 1) / cols));
    const int first = std::max(0, rows - needed);
    first_row_drawn_ = first;
    first_row_ever_ = first;
    out += "\x1b[0m\x1b[?7h\x1b[H\x1b[2J";
    // The screen behind the lines, when it is known (a join viewer's mirror keeps it).
    if (mirror_.mirrors_main_screen()) out += mirror_.repaint_rows(0, first) + "\x1b[0m";
    out += move_to_row(first);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        out += printable(lines[i]);
        if (i + 1 < lines.size()) out += "\r\n";
    }
    return out + "\x1b[?25h";
}

std::string PromptOverlay::show_rows(const std::vector<std::string>& lines, int rows, int cols) {
    (void)cols;
    std::string out;
    const int count = std::clamp(static_cast<int>(lines.size()), 1, rows);
    const int first = rows - count;
    if (!open_) {
        open_ = true;
        own_alt_screen_ = !mirror_.alt_screen_active();
        if (own_alt_screen_) out += "\x1b[?1049h\x1b[H\x1b[2J";
        first_row_drawn_ = first;
        first_row_ever_ = first;
    } else if (first > first_row_drawn_) {
        out += clear_rows(first_row_drawn_, first);  // fewer lines than last time
    }
    first_row_drawn_ = first;
    first_row_ever_ = std::min(first_row_ever_, first);

    const auto skip = lines.size() - static_cast<std::size_t>(count);
    for (int i = 0; i < count; ++i) {
        out += move_to_row(first + i) + "\x1b[0m\x1b[2K";
        out += lines[skip + static_cast<std::size_t>(i)];
    }
    out += "\x1b[?25h";
    return out;
}

std::string PromptOverlay::redraw_after_resize(const std::vector<std::string>& lines) {
    if (!open_) return show(lines);
    std::string out;
    if (own_alt_screen_) {
        out += "\x1b[H\x1b[2J";
    } else {
        // The host program redraws after the resize once the overlay closes; until then only
        // the rows we use must be clean.
        first_row_ever_ = 0;
    }
    first_row_drawn_ = std::max(mirror_.rows(), 1);
    return out + show(lines);
}

std::string PromptOverlay::close() {
    if (!open_) return {};
    open_ = false;
    if (own_alt_screen_) {
        std::string out = "\x1b[?1049l";
        if (!mirror_.modes().autowrap()) out += "\x1b[?7l";  // the scratch screen turned it on
        // ?1049l restores position and pen but not visibility, the one mode we changed.
        if (!mirror_.modes().cursor_visible()) out += "\x1b[?25l";
        return out;
    }
    const int rows = std::max(mirror_.rows(), 1);
    return mirror_.repaint_rows(std::clamp(first_row_ever_, 0, rows), rows);
}

}  // namespace tandem
