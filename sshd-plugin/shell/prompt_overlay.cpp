#include "prompt_overlay.hpp"

#include <algorithm>

namespace tandem {
namespace {

std::string move_to_row(int row0) {
    return "\x1b[" + std::to_string(row0 + 1) + ";1H";
}

// Printable ASCII only, cut so the row never reaches the last column (no autowrap/scroll).
std::string fit(const std::string& text, int cols) {
    std::string out;
    const std::size_t width = cols > 1 ? static_cast<std::size_t>(cols - 1) : 1;
    for (char c : text) {
        if (out.size() >= width) break;
        out.push_back((c >= 0x20 && c < 0x7f) ? c : '?');
    }
    return out;
}

}  // namespace

std::string PromptOverlay::clear_rows(int first, int last) const {
    if (first >= last) return {};
    if (!own_alt_screen_) return mirror_.repaint_rows(first, last);
    std::string out;
    for (int row = first; row < last; ++row) out += move_to_row(row) + "\x1b[2K";
    return out;
}

std::string PromptOverlay::show(const std::vector<std::string>& lines) {
    const int rows = std::max(mirror_.rows(), 1);
    const int cols = std::max(mirror_.cols(), 2);
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
        out += fit(lines.empty() ? std::string() : lines[skip + static_cast<std::size_t>(i)], cols);
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
        // ?1049l restores position and pen but not visibility, the one mode we changed.
        if (!mirror_.modes().cursor_visible()) out += "\x1b[?25l";
        return out;
    }
    const int rows = std::max(mirror_.rows(), 1);
    return mirror_.repaint_rows(std::clamp(first_row_ever_, 0, rows), rows);
}

}  // namespace tandem
