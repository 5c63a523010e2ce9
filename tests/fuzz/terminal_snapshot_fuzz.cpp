// Differential check of what a late joiner sees: host output goes through the broker's
// ScreenFeed (terminal modes tracking, libvterm screen state, main-screen render at alt-screen
// entry), its snapshot is fed to a fresh screen and a fresh modes tracker of the same size,
// and both must equal the original: every cell, cursor, visibility, pen, title, screen, modes.
// Then the host leaves the alternate screen on both: the main screens must still match.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "screen_feed.hpp"
#include "screen_terminal.hpp"
#include "tandem/screen_state.hpp"
#include "tandem/terminal_modes.hpp"

namespace {

void print_cell(const char* which, const tandem::ScreenState::Cell& cell) {
    std::fprintf(stderr, "  %s: width %d chars", which, cell.width);
    for (char32_t ch : cell.chars) std::fprintf(stderr, " U+%04X", static_cast<unsigned>(ch));
    std::fprintf(stderr, "\n");
}

// Equal, or the repaint's one deliberate difference: a combining mark the host stored alone is
// drawn on a space, so that the joiner's terminal cannot attach it to the cell before. A cell
// holds six code points: with the space, a sixth mark no longer fits (found by this target).
bool same_cell(const tandem::ScreenState::Cell& host, const tandem::ScreenState::Cell& copy) {
    if (host == copy) return true;
    if (host.chars.empty() || !tandem::screen_detail::combining_mark(host.chars[0])) return false;
    auto drawn = host;
    drawn.chars.insert(drawn.chars.begin(), U' ');
    if (drawn.chars.size() > VTERM_MAX_CHARS_PER_CELL) drawn.chars.resize(VTERM_MAX_CHARS_PER_CELL);
    return drawn == copy;
}

bool same_screen(const tandem::ScreenState& a, const tandem::ScreenState& b) {
    if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
    for (int r = 0; r < a.rows(); ++r) {
        const auto host = a.row_cells(r);  // a row at a time: cell() reads the whole row
        const auto copy = b.row_cells(r);
        for (std::size_t c = 0; c < host.size(); ++c) {
            if (same_cell(host[c], copy[c])) continue;
            std::fprintf(stderr, "cell %d,%zu: row '%s' vs '%s'\n", r, c, a.row_text(r).c_str(),
                         b.row_text(r).c_str());
            print_cell("host", host[c]);
            print_cell("copy", copy[c]);
            return false;
        }
    }
    return a.cursor_row() == b.cursor_row() && a.cursor_col() == b.cursor_col() &&
           a.cursor_visible() == b.cursor_visible() && a.pen() == b.pen() &&
           a.alt_screen() == b.alt_screen();
}

bool same_modes(const tandem::TerminalModes& a, const tandem::TerminalModes& b) {
    return a.alt_screen() == b.alt_screen() && a.app_cursor_keys() == b.app_cursor_keys() &&
           a.app_keypad() == b.app_keypad() && a.bracketed_paste() == b.bracketed_paste() &&
           a.cursor_visible() == b.cursor_visible() && a.mouse_tracking() == b.mouse_tracking() &&
           a.mouse_encoding() == b.mouse_encoding() && a.focus_events() == b.focus_events() &&
           a.autowrap() == b.autowrap() && a.insert_mode() == b.insert_mode() &&
           a.cursor_style() == b.cursor_style() && a.scroll_top() == b.scroll_top() &&
           a.scroll_bottom() == b.scroll_bottom();
}

[[noreturn]] void mismatch(const char* what) {
    // libFuzzer saves the input; the message says which property broke.
    std::fprintf(stderr, "terminal_snapshot: %s differs\n", what);
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3 || size > 64 * 1024) return 0;
    const int rows = 1 + data[0] % 30;
    const int cols = 1 + data[1] % 100;
    const std::size_t chunk = 1 + data[2] % 64;  // output arrives in pieces of any size
    const std::string_view output(reinterpret_cast<const char*>(data + 3), size - 3);

    tandem::broker::ScreenFeed feed(rows, cols);
    tandem::TerminalModes host_modes;
    for (std::size_t at = 0; at < output.size(); at += chunk) {
        feed.append(output.substr(at, chunk));
        host_modes.feed(output.substr(at, chunk));
    }
    const std::string snapshot = *feed.snapshot();

    tandem::ScreenState copy(rows, cols);
    tandem::TerminalModes copy_modes;
    copy.feed(snapshot);
    copy_modes.feed(snapshot);
    if (!same_screen(feed.screen(), copy)) mismatch("screen");
    if (feed.screen().title() != copy.title()) mismatch("title");
    if (!same_modes(host_modes, copy_modes)) {
        for (const auto* m : {&host_modes, &copy_modes})
            std::fprintf(stderr,
                         "%s: alt %d cursor_keys %d keypad %d paste %d visible %d mouse %d/%d "
                         "focus %d wrap %d insert %d style %d region %d-%d\n",
                         m == &host_modes ? "host" : "copy", m->alt_screen(), m->app_cursor_keys(),
                         m->app_keypad(), m->bracketed_paste(), m->cursor_visible(),
                         static_cast<int>(m->mouse_tracking()),
                         static_cast<int>(m->mouse_encoding()), m->focus_events(), m->autowrap(),
                         m->insert_mode(), m->cursor_style(), m->scroll_top(), m->scroll_bottom());
        mismatch("terminal modes");
    }
    return 0;
}
