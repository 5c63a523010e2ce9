#include <algorithm>
#include <vector>

#include "screen_terminal.hpp"
#include "tandem/screen_state.hpp"

namespace tandem {

using namespace screen_detail;

namespace {

void append_color(std::string& codes, const ScreenState::Color& c, bool is_fg) {
    using Kind = ScreenState::Color::Kind;
    if (!codes.empty()) codes += ';';
    if (c.kind == Kind::default_color) {
        codes += is_fg ? "39" : "49";
    } else if (c.kind == Kind::indexed && c.index < 8) {
        codes += std::to_string((is_fg ? 30 : 40) + c.index);
    } else if (c.kind == Kind::indexed && c.index < 16) {
        codes += std::to_string((is_fg ? 90 : 100) + c.index - 8);
    } else if (c.kind == Kind::indexed) {
        codes += (is_fg ? "38;5;" : "48;5;") + std::to_string(c.index);
    } else {
        codes += (is_fg ? "38;2;" : "48;2;") + std::to_string(c.red) + ';' +
                 std::to_string(c.green) + ';' + std::to_string(c.blue);
    }
}

// Emits the SGR that turns pen `from` into `to`: only the differences, or a reset first when an
// attribute must be switched off (one "0" is shorter than most lists of off-codes).
void change_pen(std::string& out, ScreenState::Pen& from, const ScreenState::Pen& to) {
    if (from == to) return;
    const ScreenState::Pen plain;
    const bool turns_off = (from.bold && !to.bold) || (from.italic && !to.italic) ||
                           (from.blink && !to.blink) || (from.reverse && !to.reverse) ||
                           (from.strike && !to.strike) || (from.underline && !to.underline) ||
                           (from.font && !to.font);
    std::string codes;
    const ScreenState::Pen& base = (turns_off || to == plain) ? plain : from;
    if (&base == &plain) codes = "0";
    auto add = [&codes](const char* code) {
        if (!codes.empty()) codes += ';';
        codes += code;
    };
    if (to.bold && !base.bold) add("1");
    if (to.italic && !base.italic) add("3");
    if (to.underline != base.underline) {
        static constexpr const char* underline[] = {"24", "4", "21", "4:3"};
        add(underline[std::clamp(to.underline, 0, 3)]);
    }
    if (to.blink && !base.blink) add("5");
    if (to.reverse && !base.reverse) add("7");
    if (to.strike && !base.strike) add("9");
    if (to.font != base.font) add(std::to_string(10 + to.font).c_str());
    if (to.fg != base.fg) append_color(codes, to.fg, true);
    if (to.bg != base.bg) append_color(codes, to.bg, false);
    out += "\x1b[";
    out += codes;
    out += 'm';
    from = to;
}

void append_csi(std::string& out, int n, char final_byte) {
    out += "\x1b[";
    out += std::to_string(n);
    out += final_byte;
}

void append_cup(std::string& out, int row, int col) {
    out += "\x1b[";
    out += std::to_string(row + 1);
    out += ';';
    out += std::to_string(col + 1);
    out += 'H';
}

}  // namespace

std::string ScreenState::render_rows(int first, int last, bool with_cursor) const {
    return render(first, last, with_cursor, false);
}

std::string ScreenState::snapshot() const {
    std::string out = "\x1b[0m\x1b[H\x1b[2J";
    out += render(0, rows_, true, true);
    if (!term_->title.empty()) {
        out += "\x1b]2;";
        for (char ch : term_->title) {
            const auto b = static_cast<unsigned char>(ch);
            if (b >= 0x20 && b != 0x7f) out += ch;  // a control byte could end the OSC early
        }
        out += '\a';
    }
    return out;
}

std::string ScreenState::render(int first, int last, bool with_cursor, bool after_clear) const {
    first = std::clamp(first, 0, rows_);
    last = std::clamp(last, first, rows_);
    std::string out;
    out.reserve(static_cast<std::size_t>(last - first) * static_cast<std::size_t>(cols_ + 16));
    // The target terminal's pen is unknown unless the caller just reset it.
    if (!after_clear) out += "\x1b[0m";
    Pen current;
    const Pen plain;
    std::vector<VTermScreenCell> cells(static_cast<std::size_t>(cols_));
    std::vector<Pen> pens(static_cast<std::size_t>(cols_));

    for (int row = first; row < last; ++row) {
        // Where the target terminal's cursor is on this row: -1 before the row is entered or
        // after anything whose width a terminal might judge differently (wide or combining
        // characters); the next cell is then placed with an absolute position.
        int placed = -1;
        bool entered = false;
        auto place = [&](int col) {
            if (placed == col) return;
            if (entered) {
                append_csi(out, col + 1, 'G');
            } else {
                append_cup(out, row, col);
                entered = true;
            }
            placed = col;
        };
        const VTermLineInfo* info = vterm_state_get_lineinfo(term_->state, row);
        int width = cols_;
        const bool double_line = info != nullptr && (info->doubleheight != 0 || info->doublewidth);
        if (double_line || !after_clear) {
            place(0);
            if (info != nullptr && info->doubleheight != 0) {
                out += info->doubleheight == 1 ? "\x1b#3" : "\x1b#4";
            } else {
                out += double_line ? "\x1b#6" : "\x1b#5";
            }
            if (double_line) width = cols_ / 2;
        }
        term_->read_row(row, width, cells);
        for (int col = 0; col < width; ++col) pens[col] = to_pen(cells[col]);
        int col = 0;
        while (col < width) {
            const VTermScreenCell& c = cells[col];
            if (c.chars[0] == continuation) {
                ++col;
                continue;
            }
            if (c.chars[0] == 0) {
                const int run_start = col;
                int run_end = col + 1;
                while (run_end < width && cells[run_end].chars[0] == 0 &&
                       pens[run_end] == pens[run_start]) {
                    ++run_end;
                }
                col = run_end;
                // After a clear these cells are already erased with the default pen.
                if (after_clear && pens[run_start] == plain) continue;
                change_pen(out, current, pens[run_start]);
                place(run_start);
                if (run_end == width) {
                    out += "\x1b[K";  // erase to end of line, in the current pen
                } else {
                    append_csi(out, run_end - run_start, 'X');  // ECH: the cursor stays
                }
                continue;
            }
            change_pen(out, current, pens[col]);
            place(col);
            if (col == width - 1 && likely_wide(c.chars[0])) {
                out += ' ';
                ++col;
                continue;
            }
            if (combining_mark(c.chars[0])) out += ' ';
            for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && c.chars[i] != 0; ++i) {
                append_utf8(out, c.chars[i]);
            }
            col += c.width == 2 ? 2 : 1;
            placed = c.chars[1] == 0 && surely_narrow(c.chars[0]) ? col : -1;
        }
    }
    if (with_cursor) {
        append_cup(out, cursor_row(), cursor_col());
        change_pen(out, current, pen());
        out += term_->cursor_visible ? "\x1b[?25h" : "\x1b[?25l";
    }
    return out;
}

}  // namespace tandem
