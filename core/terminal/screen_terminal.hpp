// Internals shared by screen_state.cpp (the libvterm side) and screen_render.cpp (the encoder).
#pragma once

#include <vterm.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "tandem/screen_state.hpp"

namespace tandem::screen_detail {

// libvterm 0.3 keeps 16 CSI arguments and writes past its array for more (';' and ':' both
// start one): a host printing ESC [ followed by 16 ';' corrupted the broker's heap (found by the
// terminal_snapshot fuzz target). Such sequences are dropped before vterm sees them, as is
// everything TerminalModes would read from them.
constexpr std::size_t max_csi_separators = 15;
inline bool too_many_arguments(std::string_view csi) {
    std::size_t separators = 0;
    for (char ch : csi) separators += ch == ';' || ch == ':';
    return separators > max_csi_separators;
}
constexpr int max_dimension = 1000;  // bounds vterm's allocation whatever size a peer asks for
constexpr std::size_t max_title = 1024;
constexpr std::uint32_t continuation = 0xffffffff;  // right half of a wide character
// What UTF-8 can encode: up to U+10FFFF, no surrogates. 0 (an empty slot) counts as one.
constexpr bool is_scalar_value(std::uint32_t cp) {
    return cp < 0xd800 || (cp > 0xdfff && cp < 0x110000);
}
// What a repaint can write as a character: C1 controls (vterm stores a stray 0x9e byte as
// U+009E) would act, e.g. U+009E opens a string that swallows the rest of the row.
constexpr bool is_drawable(std::uint32_t cp) {
    return is_scalar_value(cp) && !(cp >= 0x7f && cp < 0xa0);
}

ScreenState::Pen to_pen(const VTermScreenCell& c);
void append_utf8(std::string& out, std::uint32_t cp);

// Characters every terminal draws one cell wide. Past these, a cell's width is the emulator's
// opinion (and a wide character whose right half was overwritten sits in a one-cell cell), so the
// next cell gets an absolute column. U+FFFD too: it stands for code points vterm decoded past
// Unicode, some of which it took as wide (found by terminal_snapshot); drawn, it is one cell.
inline bool surely_narrow(std::uint32_t cp) {
    return cp < 0x1100 || (cp >= 0x2500 && cp < 0x25a0) || cp == 0xfffd;
}

// East Asian wide and emoji ranges (after Markus Kuhn's wcwidth): characters a terminal draws
// two cells wide. Such a character stranded in the last column (vterm allows that after inserts,
// a resize, or a line made double width) would wrap, and on the bottom row scroll, the viewer's
// screen: it is repainted, and read, as a space instead.
inline bool likely_wide(std::uint32_t cp) {
    return (cp >= 0x1100 && cp < 0x1160) || cp == 0x2329 || cp == 0x232a ||
           (cp >= 0x2e80 && cp < 0xa4d0 && cp != 0x303f) || (cp >= 0xac00 && cp < 0xd7a4) ||
           (cp >= 0xf900 && cp < 0xfb00) || (cp >= 0xfe10 && cp < 0xfe1a) ||
           (cp >= 0xfe30 && cp < 0xfe70) || (cp >= 0xff00 && cp < 0xff61) ||
           (cp >= 0xffe0 && cp < 0xffe7) || (cp >= 0x1f300 && cp < 0x1f650) ||
           (cp >= 0x1f900 && cp < 0x1fa00) || (cp >= 0x20000 && cp < 0x3fffe);
}

// Whether libvterm takes the code point as combining (its table is Unicode 5's: U+1DF7 or
// U+1AB0 are characters of their own to it, U+06DE combines). A mark stored without a base
// character is drawn on a space, so that a terminal cannot attach it to the cell before (the one
// deliberate difference of a repainted screen, which the terminal_snapshot fuzz target allows);
// a mark vterm stores as a character is repainted as one. Asked of the linked libvterm itself
// (vterm_character_table.cpp): a hand-written list of ranges missed marks (found by
// terminal_snapshot).
bool combining_mark(std::uint32_t cp);
// The cells libvterm gives the code point: 0 (it combines), 1 or 2. Also asked of libvterm.
int libvterm_width(std::uint32_t cp);

}  // namespace tandem::screen_detail

namespace tandem {

struct ScreenState::Terminal {
    VTerm* vt = nullptr;
    VTermScreen* screen = nullptr;
    VTermState* state = nullptr;
    bool cursor_visible = true;
    bool alt_screen = false;
    std::string title;
    std::size_t discarded = 0;

    // Input filter in front of vterm: holds each CSI until its final byte (see feed()).
    enum class Scan { ground, escape, csi };
    Scan scan = Scan::ground;
    std::string held;
    bool held_overflow = false;

    // A UTF-8 sequence not yet complete, held back until its next byte is known (see write()).
    char utf8_held[6] = {};
    int utf8_have = 0;
    int utf8_need = 0;
    // Set by the first ESC # 3/4/6: from then on vertical moves are checked (see feed()).
    bool double_lines_seen = false;

    // libvterm's UTF-8 decoder keeps a cut-short sequence while ASCII, controls and escapes
    // pass, and completes it with a continuation byte much later: after E6 97 'e' 97 it read a
    // line-drawing character as wide (found by terminal_snapshot). It also decodes C2 80-9F to
    // a C1 control and prints it as a glyph of width -1, which in insert mode made it move
    // memory by a negative length (a crash from five bytes of host output). So libvterm is
    // given only whole sequences: a C1 control, and a sequence broken by any other byte, as
    // U+FFFD (what terminals show, and what a repaint sends), then that byte as itself. A
    // sequence cut by the end of a write is held for the next.
    void write(const char* bytes, std::size_t len) {
        if (len == 0) return;
        if (utf8_need == 0 && whole_utf8(bytes, len))
            return write_text(std::string_view(bytes, len));
        write_text(whole_sequences(bytes, len));
    }
    // How many bytes a sequence led by `b` takes to libvterm (0: not a lead byte).
    static int utf8_length(unsigned char b) {
        if (b < 0xc0 || b > 0xfd) return 0;
        return b < 0xe0 ? 2 : b < 0xf0 ? 3 : b < 0xf8 ? 4 : b < 0xfc ? 5 : 6;
    }
    // Whether `bytes` holds only whole sequences and no C1 control: the common case, given to
    // libvterm as it is.
    static bool whole_utf8(const char* bytes, std::size_t len) {
        for (std::size_t i = 0; i < len; ++i) {
            const auto b = static_cast<unsigned char>(bytes[i]);
            if (b < 0x80) continue;
            const int n = utf8_length(b);
            if (n == 0) continue;  // a stray continuation or FE/FF: one U+FFFD to libvterm too
            if (len - i < static_cast<std::size_t>(n)) return false;
            if (b == 0xc2 && static_cast<unsigned char>(bytes[i + 1]) < 0xa0) return false;
            for (int k = 1; k < n; ++k)
                if ((static_cast<unsigned char>(bytes[i + k]) & 0xc0) != 0x80) return false;
            i += static_cast<std::size_t>(n - 1);
        }
        return true;
    }
    std::string whole_sequences(const char* bytes, std::size_t len) {
        std::string out;
        out.reserve(len + 8);
        for (std::size_t i = 0; i < len; ++i) {
            const auto b = static_cast<unsigned char>(bytes[i]);
            if (utf8_need > 0) {
                if ((b & 0xc0) == 0x80) {
                    utf8_held[utf8_have++] = static_cast<char>(b);
                    if (--utf8_need > 0) continue;
                    const bool c1 = utf8_have == 2 &&
                                    static_cast<unsigned char>(utf8_held[0]) == 0xc2 && b < 0xa0;
                    if (c1)
                        out += "\xef\xbf\xbd";
                    else
                        out.append(utf8_held, static_cast<std::size_t>(utf8_have));
                    utf8_have = 0;
                    continue;
                }
                out += "\xef\xbf\xbd";  // a broken sequence, then this byte as itself
                utf8_need = 0;
                utf8_have = 0;
            }
            if (const int n = utf8_length(b); n > 0) {
                utf8_held[0] = static_cast<char>(b);
                utf8_have = 1;
                utf8_need = n - 1;
            } else {
                out += static_cast<char>(b);
            }
        }
        return out;
    }
    void write_text(std::string_view text) {
        if (text.empty()) return;
        vterm_input_write(vt, text.data(), text.size());
        // vterm gives a C1 control reached through UTF-8 (C2 ESC h 9E) a width of -1 and moves
        // the cursor back, off the screen's left edge: a place no terminal and no repaint has
        // (found by terminal_snapshot). Terminals give it no width; the cursor stays on screen.
        VTermPos pos;
        vterm_state_get_cursorpos(state, &pos);
        if (pos.col < 0) vterm_input_write(vt, "\x1b[1G", 4);
    }
    // vterm restores the cursor's visibility with the cursor (ESC 8, CSI ? 1048/1049 l), and
    // hides it when nothing was saved; terminals and TerminalModes leave it as it was.
    void write_keeping_visibility(const char* bytes, std::size_t len) {
        const bool visible = cursor_visible;
        write(bytes, len);
        if (cursor_visible != visible) write(visible ? "\x1b[?25h" : "\x1b[?25l", 6);
    }
    void write_csi(std::string_view sequence);
    void keep_cursor_on_half_line();
    void keep_cursor_within_double_line();
    void feed(std::string_view in);
    void finish_csi();
    void repeat_preceding(int count);

    ~Terminal() {
        if (vt != nullptr) vterm_free(vt);
    }

    VTermScreenCell raw_cell(int row, int col) const {
        VTermScreenCell c{};  // vterm leaves unused chars[] entries untouched
        vterm_screen_get_cell(screen, VTermPos{row, col}, &c);
        return c;
    }

    // The first `width` cells of a row as a terminal shows them. vterm does not clear the right
    // half of a wide character when its left half is overwritten, and leaves the right half's
    // own pen in place: a stale right half reads as an erased cell, a real one takes the left
    // half's pen, and widths follow.
    void read_row(int row, int width, std::vector<VTermScreenCell>& cells) const {
        for (int col = 0; col < width; ++col) {
            cells[col] = raw_cell(row, col);
            // vterm decodes overlong 4-byte sequences (F5-F7 lead bytes) to code points past
            // U+10FFFF that UTF-8 cannot carry; a repaint would silently lose the cell and shift
            // the row (found by the terminal_snapshot fuzz target). They, and C1 controls, read
            // as U+FFFD, as a terminal shows invalid UTF-8.
            for (auto& ch : cells[col].chars)
                if (ch != screen_detail::continuation && !screen_detail::is_drawable(ch))
                    ch = 0xfffd;
        }
        for (int col = 0; col < width; ++col) {
            VTermScreenCell& c = cells[col];
            if (c.chars[0] != screen_detail::continuation) continue;
            VTermScreenCell* left = col > 0 ? &cells[col - 1] : nullptr;
            // A right half after a character libvterm itself draws narrow is stale: a
            // line-drawing U+240A over the left half of a wide character read as wide, while a
            // repaint draws it one cell (found by terminal_snapshot).
            if (left == nullptr || left->chars[0] == 0 ||
                left->chars[0] == screen_detail::continuation ||
                screen_detail::surely_narrow(left->chars[0]) ||
                screen_detail::libvterm_width(left->chars[0]) != 2) {
                c.chars[0] = 0;
                if (left != nullptr) left->width = 1;
            } else {
                c.attrs = left->attrs;
                c.fg = left->fg;
                c.bg = left->bg;
            }
        }
        // A cell reads as wide only while its right half is real.
        for (int col = 0; col < width; ++col) {
            const bool right_half =
                col + 1 < width && cells[col + 1].chars[0] == screen_detail::continuation;
            cells[col].width = right_half ? 2 : 1;
        }
    }

    // The title as a snapshot can carry it and a terminal would hold it: control bytes left
    // out (a terminal ends the OSC at ESC, BEL, CAN or SUB; libvterm keeps some when an escape
    // inside the string does not end it), and invalid UTF-8 and C1 controls as U+FFFD (the
    // filter in front of libvterm turns those into U+FFFD on the joiner's side).
    static std::string printable_title(std::string_view raw) {
        std::string out;
        std::size_t i = 0;
        while (i < raw.size() && out.size() < screen_detail::max_title) {
            const auto b = static_cast<unsigned char>(raw[i]);
            if (b < 0x80) {
                if (b >= 0x20 && b != 0x7f) out += raw[i];
                ++i;
                continue;
            }
            const std::size_t len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
            std::uint32_t cp = len == 4 ? b & 0x07u : len == 3 ? b & 0x0fu : b & 0x1fu;
            bool valid = len > 1 && b <= 0xf4 && i + len <= raw.size();
            for (std::size_t k = 1; valid && k < len; ++k) {
                const auto c = static_cast<unsigned char>(raw[i + k]);
                valid = (c & 0xc0) == 0x80;
                cp = (cp << 6) | (c & 0x3fu);
            }
            const std::uint32_t least = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
            valid =
                valid && cp >= least && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) && cp > 0x9f;
            if (valid) {
                out.append(raw.substr(i, len));
                i += len;
            } else {
                out += "\xef\xbf\xbd";
                ++i;
            }
        }
        return out;
    }

    static int settermprop(VTermProp prop, VTermValue* val, void* user) {
        auto* self = static_cast<Terminal*>(user);
        switch (prop) {
            case VTERM_PROP_CURSORVISIBLE:
                self->cursor_visible = val->boolean != 0;
                break;
            case VTERM_PROP_ALTSCREEN:
                self->alt_screen = val->boolean != 0;
                break;
            case VTERM_PROP_TITLE:
                self->title = printable_title(val->string != nullptr ? val->string : "");
                break;
            default:
                break;
        }
        return 1;  // 0 would make vterm's state forget the property
    }

    // Replies to queries (DA, DSR, ...) must never reach the host: a viewer is not the terminal.
    static void discard_output(const char*, std::size_t len, void* user) {
        static_cast<Terminal*>(user)->discarded += len;
    }
};

}  // namespace tandem
