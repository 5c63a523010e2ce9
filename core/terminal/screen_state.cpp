#include "tandem/screen_state.hpp"

#include <algorithm>
#include <cstring>
#include <new>
#include <vector>

#include "screen_terminal.hpp"

namespace tandem {

using namespace screen_detail;

namespace {

// Longer CSI sequences are dropped (TerminalModes::max_params is the same bound, less ESC [).
constexpr std::size_t max_held_csi = 256;

int clamp_dimension(int n) {
    return std::clamp(n, 1, max_dimension);
}

// libvterm crashes writing a wide character on a 1-column screen (a terminal_snapshot finding):
// the model is never narrower than 2 columns, so a 1-column terminal is followed as 2.
int clamp_columns(int n) {
    return std::clamp(n, 2, max_dimension);
}

ScreenState::Color to_color(const VTermColor& c, bool is_fg) {
    ScreenState::Color out;
    if (is_fg ? VTERM_COLOR_IS_DEFAULT_FG(&c) : VTERM_COLOR_IS_DEFAULT_BG(&c)) return out;
    if (VTERM_COLOR_IS_INDEXED(&c)) {
        out.kind = ScreenState::Color::Kind::indexed;
        out.index = c.indexed.idx;
    } else {
        out.kind = ScreenState::Color::Kind::rgb;
        out.red = c.rgb.red;
        out.green = c.rgb.green;
        out.blue = c.rgb.blue;
    }
    return out;
}

}  // namespace

ScreenState::Pen screen_detail::to_pen(const VTermScreenCell& c) {
    ScreenState::Pen pen;
    pen.bold = c.attrs.bold;
    pen.italic = c.attrs.italic;
    pen.blink = c.attrs.blink;
    pen.reverse = c.attrs.reverse;
    pen.strike = c.attrs.strike;
    pen.underline = static_cast<int>(c.attrs.underline);
    pen.font = static_cast<int>(c.attrs.font);
    pen.fg = to_color(c.fg, true);
    pen.bg = to_color(c.bg, false);
    return pen;
}

void screen_detail::append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x110000) {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

namespace {

const VTermScreenCallbacks screen_callbacks = {
    nullptr,                              // damage
    nullptr,                              // moverect
    nullptr,                              // movecursor
    &ScreenState::Terminal::settermprop,  // settermprop
    nullptr,                              // bell
    nullptr,                              // resize
    nullptr,                              // sb_pushline
    nullptr,                              // sb_popline
};

}  // namespace

// libvterm 0.1.4 loops forever on REP (CSI Ps b) when the last glyph it saw has width 0 (none
// yet, or a lone zero-width character): four bytes from a host would hang us. So every CSI is
// held until complete, REP is carried out here, and overlong sequences are dropped.
void ScreenState::Terminal::feed(std::string_view in) {
    constexpr unsigned char esc = 0x1b;
    const char* p = in.data();
    const char* const end = p + in.size();
    const char* pass = p;  // first byte not yet given to vterm (ground state only)
    while (p < end) {
        const auto b = static_cast<unsigned char>(*p);
        switch (scan) {
            case Scan::ground: {
                const void* hit = std::memchr(p, esc, static_cast<std::size_t>(end - p));
                if (double_lines_seen) {
                    // A line feed (VT, FF) keeps the column: onto a double-width line it left
                    // libvterm's cursor past the line's half, where no repaint can put it and
                    // from where the next character wraps (found by terminal_snapshot). Each
                    // one is followed by the same check as a line made double width.
                    const char* stop = hit != nullptr ? static_cast<const char*>(hit) : end;
                    const char* vertical = std::find_if(
                        p, stop, [](char c) { return c == '\n' || c == '\v' || c == '\f'; });
                    if (vertical != stop) {
                        p = vertical + 1;
                        write(pass, static_cast<std::size_t>(p - pass));
                        keep_cursor_within_double_line();
                        pass = p;
                        break;
                    }
                }
                if (hit == nullptr) {
                    p = end;
                    break;
                }
                p = static_cast<const char*>(hit);
                write(pass, static_cast<std::size_t>(p - pass));
                held.assign(1, static_cast<char>(esc));
                held_overflow = false;
                scan = Scan::escape;
                pass = ++p;
                break;
            }
            case Scan::escape:
                if (b == '[') {
                    // vterm opens a CSI here even after intermediates (ESC ( [), and drops them
                    // when the CSI ends: so must this filter, or ESC ( [ 5 b hangs vterm.
                    held.assign("\x1b[");
                    scan = Scan::csi;
                    ++p;
                } else if (b >= 0x20 && b <= 0x2f) {
                    // An intermediate (ESC ( B, ESC # 8): held, the escape goes on. vterm keeps
                    // at most 15 and ignores the rest; so does this.
                    if (held.size() < 16) held += static_cast<char>(b);
                    ++p;
                } else if (b == 0 || b >= 0x7f) {
                    // vterm ignores these after an ESC and stays there: ESC 0xff [ is a CSI to
                    // it, which must not get past this filter unchecked (terminal_snapshot).
                    ++p;
                } else if (b == esc) {
                    // ESC ESC: the first escape is abandoned; libvterm starts again at the
                    // second. Given to it, the lone ESC waited for the byte after whatever
                    // this filter made of the second: after a CSI it drops (too many
                    // arguments), ESC ESC [ <18 arguments> [ 8 became ESC 8, a cursor restore
                    // that hid the cursor (found by terminal_snapshot).
                    held.assign(1, static_cast<char>(esc));
                    ++p;
                } else if (b < 0x20 && b != 0x18 && b != 0x1a) {
                    write(p, 1);  // executed, and the escape goes on (as inside a CSI)
                    if (double_lines_seen) keep_cursor_within_double_line();
                    ++p;
                } else {
                    // RIS (ESC c) puts terminals back on the main screen; libvterm 0.1.4 resets
                    // but stays on the alternate one, and a late joiner would be put there.
                    if (b == 'c' && held.size() == 1) write("\x1b[?1049l", 8);
                    if (b == '8' && held.size() == 1) {
                        write_keeping_visibility(
                            "\x1b"
                            "8",
                            2);  // DECRC
                        ++p;
                        // A cursor saved past the half of a line made double width since.
                        if (double_lines_seen) keep_cursor_within_double_line();
                    } else if (held == "\x1b#" && (b == '3' || b == '4' || b == '6')) {
                        // A line made double width keeps the cursor within its half, as in
                        // xterm; libvterm left it past it, where no repaint can put it back.
                        held += static_cast<char>(b);
                        write(held.data(), held.size());
                        ++p;
                        keep_cursor_on_half_line();
                        double_lines_seen = true;
                    } else if (double_lines_seen && held.size() == 1 &&
                               (b == 'D' || b == 'E' || b == 'M')) {
                        // IND, NEL and RI move the cursor as a line feed does (see ground).
                        held += static_cast<char>(b);
                        write(held.data(), held.size());
                        ++p;
                        keep_cursor_within_double_line();
                    } else {
                        write(held.data(), held.size());  // not a CSI: vterm takes it from here
                    }
                    scan = Scan::ground;
                }
                pass = p;
                break;
            case Scan::csi:
                if (b >= 0x20 && b <= 0x3f) {
                    if (held.size() < max_held_csi) {
                        held += static_cast<char>(b);
                    } else {
                        held_overflow = true;
                    }
                    ++p;
                } else if (b >= 0x40 && b <= 0x7e) {
                    held += static_cast<char>(b);
                    if (!held_overflow) finish_csi();
                    scan = Scan::ground;
                    ++p;
                } else if (b == esc || b == 0x18 || b == 0x1a) {
                    // ESC, CAN and SUB abort the sequence, which then does nothing: vterm never
                    // sees it. (Given the open "ESC [", vterm stayed in the CSI when the ESC
                    // that aborts it was held and then swallowed by a mode sequence that writes
                    // nothing, ESC [ ; h: the text after it overflowed vterm's arguments, a
                    // crash found by terminal_snapshot.)
                    scan = Scan::ground;
                } else if (b < 0x20) {
                    write(p, 1);  // other C0 controls act mid-sequence
                    if (double_lines_seen) keep_cursor_within_double_line();
                    ++p;
                } else {
                    ++p;  // DEL and non-ASCII inside a CSI: dropped
                }
                pass = p;
                break;
        }
    }
    if (scan == Scan::ground) write(pass, static_cast<std::size_t>(end - pass));
}

void ScreenState::Terminal::keep_cursor_on_half_line() {
    VTermPos pos;
    vterm_state_get_cursorpos(state, &pos);
    int rows = 0;
    int cols = 0;
    vterm_get_size(vt, &rows, &cols);
    if (pos.col < cols / 2) return;
    const std::string column = "\x1b[" + std::to_string(cols / 2) + "G";  // CHA, 1-based
    write(column.data(), column.size());
}

void ScreenState::Terminal::keep_cursor_within_double_line() {
    VTermPos pos;
    vterm_state_get_cursorpos(state, &pos);
    const VTermLineInfo* info = vterm_state_get_lineinfo(state, pos.row);
    if (info != nullptr && (info->doublewidth || info->doubleheight != 0))
        keep_cursor_on_half_line();
}

void ScreenState::Terminal::write_csi(std::string_view sequence) {
    // One DEC private mode set or reset (CSI ? Pm h/l; leading zeros allowed, as vterm reads).
    const std::string_view body = sequence.substr(2, sequence.size() - 3);
    const char final_byte = sequence.back();
    if ((final_byte == 'h' || final_byte == 'l') && body.size() > 1 && body[0] == '?' &&
        body.find_first_not_of("0123456789", 1) == std::string_view::npos) {
        const std::string_view mode =
            body.substr(std::min(body.find_first_not_of('0', 1), body.size()));
        // Terminals take 47 as the alternate screen too; libvterm 0.1.4 ignores it.
        if (mode == "47") {
            const std::string alt = std::string("\x1b[?1047") + final_byte;
            return write(alt.data(), alt.size());
        }
        // CSI ? 1048 l and CSI ? 1049 l restore the cursor.
        if (final_byte == 'l' && (mode == "1048" || mode == "1049"))
            return write_keeping_visibility(sequence.data(), sequence.size());
    }
    write(sequence.data(), sequence.size());
    // DECSTR (soft reset) shows the cursor in terminals and TerminalModes; libvterm 0.1.4 left a
    // hidden one hidden, and a late joiner's cursor with it (found by terminal_snapshot).
    if (sequence == "\x1b[!p") write("\x1b[?25h", 6);
}

void ScreenState::Terminal::finish_csi() {
    const std::string_view body = std::string_view(held).substr(2, held.size() - 3);
    if (too_many_arguments(body)) return;
    if (held.back() == 'h' || held.back() == 'l') {
        // libvterm 0.1.4 sets or resets only the first mode of CSI [?] Pm h/l (CSI ? 1 ; 1049 h);
        // terminals, xterm.js and TerminalModes take each one, each without its sub-parameters
        // (CSI ? : ; 47 h sets 47): so one plain sequence per mode here.
        const bool dec = !body.empty() && body[0] == '?';
        const std::string_view modes = body.substr(dec ? 1 : 0);
        if (modes.find_first_of(";:") != std::string_view::npos &&
            modes.find_first_not_of("0123456789;:") == std::string_view::npos) {
            std::size_t at = 0;
            while (at <= modes.size()) {
                const std::size_t end = std::min(modes.find(';', at), modes.size());
                const std::string_view param = modes.substr(at, end - at);
                const std::string_view mode = param.substr(0, param.find(':'));
                if (!mode.empty()) {
                    std::string one = dec ? "\x1b[?" : "\x1b[";
                    one.append(mode);
                    one += held.back();
                    write_csi(one);
                }
                at = end + 1;
            }
            return;
        }
    }
    if (held.back() != 'b') {
        write_csi(held);
        return;
    }
    // REP never reaches libvterm: 0.1.4 hung, or wrote through a null pointer, on a REP with a
    // sub-parameter (CSI 66:3 b, found by terminal_snapshot). With only parameters it repeats
    // the preceding character by the first one's value (sub-parameters ignored, as xterm.js
    // does); with a private marker or intermediates it is not REP and does nothing.
    if (body.find_first_not_of("0123456789;:") != std::string_view::npos) return;
    int count = 0;
    for (char ch : body) {
        if (ch == ';' || ch == ':') break;
        count = std::min(count * 10 + (ch - '0'), max_dimension);
    }
    repeat_preceding(std::max(count, 1));
}

void ScreenState::Terminal::repeat_preceding(int count) {
    VTermPos pos;
    vterm_state_get_cursorpos(state, &pos);
    if (pos.col == 0) return;
    VTermScreenCell c = raw_cell(pos.row, pos.col - 1);
    if (c.chars[0] == continuation && pos.col >= 2) c = raw_cell(pos.row, pos.col - 2);
    if (c.chars[0] == 0 || c.chars[0] == continuation) return;
    std::string glyph;
    for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && c.chars[i] != 0; ++i) {
        append_utf8(glyph, c.chars[i]);
    }
    std::string text;
    for (int i = 0; i < count; ++i) text += glyph;
    write(text.data(), text.size());
}

ScreenState::ScreenState(int rows, int cols)
    : rows_(clamp_dimension(rows)), cols_(clamp_columns(cols)), term_(new Terminal) {
    term_->vt = vterm_new(rows_, cols_);
    if (term_->vt == nullptr) throw std::bad_alloc();
    vterm_set_utf8(term_->vt, 1);
    vterm_output_set_callback(term_->vt, &Terminal::discard_output, term_.get());
    term_->screen = vterm_obtain_screen(term_->vt);
    term_->state = vterm_obtain_state(term_->vt);
    vterm_screen_set_callbacks(term_->screen, &screen_callbacks, term_.get());
    vterm_screen_enable_altscreen(term_->screen, 1);
    vterm_screen_reset(term_->screen, 1);
}

ScreenState::~ScreenState() = default;

void ScreenState::feed(std::string_view bytes) {
    term_->feed(bytes);
}

void ScreenState::resize(int rows, int cols) {
    rows_ = clamp_dimension(rows);
    cols_ = clamp_columns(cols);
    vterm_set_size(term_->vt, rows_, cols_);
}

namespace {

ScreenState::Cell to_cell(const VTermScreenCell& c) {
    ScreenState::Cell out;
    for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && c.chars[i] != 0; ++i) {
        out.chars += static_cast<char32_t>(c.chars[i]);
        if (c.chars[i] == continuation) break;
    }
    out.width = c.width;
    out.pen = screen_detail::to_pen(c);
    return out;
}

}  // namespace

ScreenState::Cell ScreenState::cell(int row, int col) const {
    if (row < 0 || row >= rows_ || col < 0 || col >= cols_) return Cell{};
    return row_cells(row)[static_cast<std::size_t>(col)];
}

std::vector<ScreenState::Cell> ScreenState::row_cells(int row) const {
    std::vector<Cell> out;
    if (row < 0 || row >= rows_) return out;
    // The right half of a double-width line's cells cannot be seen: they read as blank.
    const VTermLineInfo* info = vterm_state_get_lineinfo(term_->state, row);
    const bool double_line = info != nullptr && (info->doubleheight != 0 || info->doublewidth);
    const int shown = double_line ? cols_ / 2 : cols_;
    std::vector<VTermScreenCell> cells(static_cast<std::size_t>(cols_));
    term_->read_row(row, shown, cells);
    out.reserve(cells.size());
    for (int col = 0; col < cols_; ++col) {
        out.push_back(col < shown ? to_cell(cells[static_cast<std::size_t>(col)]) : Cell{});
    }
    // A wide character the row's end cuts in half reads as the space it is repainted as.
    Cell& last = out[static_cast<std::size_t>(shown - 1)];
    if (!last.chars.empty() && screen_detail::likely_wide(last.chars[0])) last.chars = U" ";
    return out;
}

std::string ScreenState::row_text(int row) const {
    std::string out;
    if (row < 0 || row >= rows_) return out;
    std::vector<VTermScreenCell> cells(static_cast<std::size_t>(cols_));
    term_->read_row(row, cols_, cells);
    for (const VTermScreenCell& c : cells) {
        if (c.chars[0] == continuation) continue;
        if (c.chars[0] == 0) {
            out += ' ';
            continue;
        }
        for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && c.chars[i] != 0; ++i) {
            append_utf8(out, c.chars[i]);
        }
    }
    out.erase(out.find_last_not_of(' ') + 1);
    return out;
}

int ScreenState::cursor_row() const {
    VTermPos pos;
    vterm_state_get_cursorpos(term_->state, &pos);
    return pos.row;
}

int ScreenState::cursor_col() const {
    VTermPos pos;
    vterm_state_get_cursorpos(term_->state, &pos);
    return pos.col;
}

bool ScreenState::cursor_visible() const {
    return term_->cursor_visible;
}
bool ScreenState::alt_screen() const {
    return term_->alt_screen;
}
const std::string& ScreenState::title() const {
    return term_->title;
}
std::size_t ScreenState::discarded_reply_bytes() const {
    return term_->discarded;
}

ScreenState::Pen ScreenState::pen() const {
    VTermScreenCell c{};
    VTermValue v{};
    vterm_state_get_penattr(term_->state, VTERM_ATTR_BOLD, &v);
    c.attrs.bold = v.boolean ? 1 : 0;
    vterm_state_get_penattr(term_->state, VTERM_ATTR_ITALIC, &v);
    c.attrs.italic = v.boolean ? 1 : 0;
    vterm_state_get_penattr(term_->state, VTERM_ATTR_BLINK, &v);
    c.attrs.blink = v.boolean ? 1 : 0;
    vterm_state_get_penattr(term_->state, VTERM_ATTR_REVERSE, &v);
    c.attrs.reverse = v.boolean ? 1 : 0;
    vterm_state_get_penattr(term_->state, VTERM_ATTR_STRIKE, &v);
    c.attrs.strike = v.boolean ? 1 : 0;
    vterm_state_get_penattr(term_->state, VTERM_ATTR_UNDERLINE, &v);
    c.attrs.underline = static_cast<unsigned>(v.number) & 3u;
    vterm_state_get_penattr(term_->state, VTERM_ATTR_FONT, &v);
    c.attrs.font = static_cast<unsigned>(v.number) & 15u;
    vterm_state_get_penattr(term_->state, VTERM_ATTR_FOREGROUND, &v);
    c.fg = v.color;
    vterm_state_get_penattr(term_->state, VTERM_ATTR_BACKGROUND, &v);
    c.bg = v.color;
    return to_pen(c);
}

}  // namespace tandem
