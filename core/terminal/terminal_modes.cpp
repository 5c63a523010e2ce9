#include "tandem/terminal_modes.hpp"

#include <cstring>

namespace tandem {

namespace {

constexpr unsigned char esc = 0x1b;
constexpr unsigned char bel = 0x07;
constexpr unsigned char can = 0x18;  // CAN and SUB abort any sequence
constexpr unsigned char sub = 0x1a;

bool aborts(unsigned char b) {
    return b == can || b == sub;
}

// Calls fn(number) for each ';'-separated parameter of s (sub-parameters after ':' ignored,
// empty parameters are 0, huge ones clamp).
template <typename Fn>
void for_each_param(std::string_view s, Fn fn) {
    int value = 0;
    bool in_sub = false;
    for (char ch : s) {
        if (ch == ';') {
            fn(value);
            value = 0;
            in_sub = false;
        } else if (ch == ':') {
            in_sub = true;
        } else if (ch >= '0' && ch <= '9' && !in_sub) {
            if (value < 1000000) value = value * 10 + (ch - '0');
        }
    }
    fn(value);
}

}  // namespace

void TerminalModes::feed(std::string_view bytes) {
    const auto* const begin = reinterpret_cast<const unsigned char*>(bytes.data());
    const auto* const end = begin + bytes.size();
    const unsigned char* p = begin;
    while (p < end) {
        switch (state_) {
            case State::ground: {
                // The fast path: plain text is skipped at memchr speed.
                const void* hit = std::memchr(p, esc, static_cast<std::size_t>(end - p));
                if (hit == nullptr) return;
                p = static_cast<const unsigned char*>(hit) + 1;
                state_ = State::escape;
                break;
            }
            case State::escape: {
                const unsigned char b = *p++;
                if (b == '[') {
                    start_csi();
                } else if (b == ']' || b == 'P' || b == '_' || b == '^' || b == 'X') {
                    state_ = State::other_string;
                } else if (b == '=') {
                    app_keypad_ = true;
                    state_ = State::ground;
                } else if (b == '>') {
                    app_keypad_ = false;
                    state_ = State::ground;
                } else if (b == 'c') {
                    state_ = State::ground;
                    full_reset(static_cast<std::size_t>(p - begin));
                } else if (b >= 0x20 && b <= 0x2f) {
                    state_ = State::escape_intermediate;  // ESC ( B, ESC # 8, ...
                } else if (b == esc) {
                    // ESC ESC: the second one starts afresh.
                } else if (aborts(b) || (b >= 0x30 && b < 0x7f)) {
                    state_ = State::ground;  // a two-byte sequence (ESC 7, ESC M, ...)
                }
                // Other C0 controls are executed by terminals mid-sequence: nothing to track.
                // DEL and bytes from 0x80 are ignored there, as libvterm does: ESC 0xff [ is a
                // CSI to the screen, so it must be one here too (found by terminal_snapshot).
                break;
            }
            case State::escape_intermediate: {
                const unsigned char b = *p++;
                // libvterm still opens a CSI, OSC or DCS after intermediates: ESC ( [ ?25l hides
                // the cursor on the screen, so it must count here (found by terminal_snapshot).
                if (b == '[') {
                    start_csi();
                } else if (b == ']' || b == 'P') {
                    state_ = State::other_string;
                } else if (b == esc) {
                    state_ = State::escape;
                } else if (aborts(b) || (b >= 0x30 && b < 0x7f)) {
                    state_ = State::ground;
                }
                break;
            }
            case State::csi: {
                const unsigned char b = *p++;
                if (b >= 0x20 && b <= 0x3f) {
                    if (params_.size() < max_params) {
                        if (params_.empty() && b == '?') csi_private_ = true;
                        params_.push_back(static_cast<char>(b));
                    } else {
                        params_overflow_ = true;
                    }
                } else if (b >= 0x40 && b <= 0x7e) {
                    state_ = State::ground;
                    if (!params_overflow_) {
                        params_.push_back(static_cast<char>(b));
                        finish_sequence(static_cast<std::size_t>(p - begin));
                    }
                } else if (b == esc) {
                    state_ = State::escape;
                } else if (aborts(b)) {
                    state_ = State::ground;
                }
                // Bytes from 0x80 are ignored inside a sequence, as libvterm does in UTF-8 mode:
                // aborting there left the modes out of step with the screen, so a late joiner
                // got the alt screen without its modes (found by the terminal_snapshot target).
                break;
            }
            case State::other_string: {
                // OSC, DCS, APC, PM, SOS: skip to BEL or ST; nothing inside is interpreted.
                while (p < end && *p != bel && *p != esc && !aborts(*p)) ++p;
                if (p == end) return;
                state_ = *p == esc ? State::string_escape : State::ground;
                ++p;
                break;
            }
            case State::string_escape: {
                if (*p == '\\') {
                    ++p;
                    state_ = State::ground;
                } else {
                    // ESC not followed by '\' ends the string and starts a new sequence.
                    state_ = State::escape;
                }
                break;
            }
        }
    }
}

void TerminalModes::start_csi() {
    state_ = State::csi;
    params_.clear();
    csi_private_ = false;
    params_overflow_ = false;
}

void TerminalModes::finish_sequence(std::size_t offset_after) {
    const std::string_view seq = params_;  // parameters, intermediates, final byte
    const char final_byte = seq.back();
    const std::string_view body = seq.substr(0, seq.size() - 1);
    // The screen (libvterm) never sees a CSI with more than 16 arguments (screen_state.cpp).
    std::size_t separators = 0;
    for (char ch : body) separators += ch == ';' || ch == ':';
    if (separators > 15) return;
    if (csi_private_) {
        if (final_byte == 'h' || final_byte == 'l') {
            finish_private_modes(final_byte == 'h', offset_after);
        }
        return;
    }
    const bool plain_params = body.find_first_not_of("0123456789;:") == std::string_view::npos;
    if (plain_params && (final_byte == 'h' || final_byte == 'l')) {
        for_each_param(body, [&](int mode) {
            if (mode == 4) insert_mode_ = final_byte == 'h';
        });
    } else if (plain_params && final_byte == 'r') {
        int index = 0;
        int top = 0;
        int bottom = 0;
        for_each_param(body, [&](int v) {
            if (index == 0) top = v;
            if (index == 1) bottom = v;
            ++index;
        });
        // Like a terminal: a region of less than two lines is ignored, CSI r resets. A top of
        // 0 is line 1, so CSI ; 1 r is a one-line region (found by terminal_snapshot).
        const int first = top < 1 ? 1 : top;
        if (body.empty() || (first == 1 && bottom == 0)) {
            scroll_top_ = scroll_bottom_ = 0;
        } else if (bottom == 0 || bottom > first) {
            scroll_top_ = first;
            scroll_bottom_ = bottom;
        }
    } else if (final_byte == 'q' && !body.empty() && body.back() == ' ') {
        int style = 0;
        for_each_param(body.substr(0, body.size() - 1), [&](int v) { style = v; });
        if (style <= 6) cursor_style_ = style;
    } else if (final_byte == 'p' && body == "!") {
        // DECSTR soft reset.
        cursor_visible_ = true;
        app_cursor_keys_ = false;
        app_keypad_ = false;
        insert_mode_ = false;
        autowrap_ = true;
        scroll_top_ = scroll_bottom_ = 0;
    }
}

void TerminalModes::finish_private_modes(bool set, std::size_t offset_after) {
    const std::string_view body = std::string_view(params_).substr(1, params_.size() - 2);
    if (body.find_first_not_of("0123456789;:") != std::string_view::npos) return;
    for_each_param(body, [&](int mode) { apply_private_mode(mode, set, offset_after); });
}

void TerminalModes::apply_private_mode(int mode, bool set, std::size_t offset_after) {
    switch (mode) {
        case 1:
            app_cursor_keys_ = set;
            break;
        case 7:
            autowrap_ = set;
            break;
        case 25:
            cursor_visible_ = set;
            break;
        case 47:
        case 1047:
        case 1049:
            set_alt_screen(set, offset_after);
            break;
        case 9:
        case 1000:
        case 1002:
        case 1003:
            // Like xterm: one tracking mode at a time; resetting any of them turns tracking off.
            mouse_tracking_ = set ? mode : 0;
            break;
        case 1005:
        case 1006:
        case 1015:
            mouse_encoding_ = set ? mode : 0;
            break;
        case 1004:
            focus_events_ = set;
            break;
        case 2004:
            bracketed_paste_ = set;
            break;
        default:
            break;
    }
}

void TerminalModes::set_alt_screen(bool active, std::size_t offset_after) {
    if (alt_screen_ == active) return;
    alt_screen_ = active;
    if (listener_ != nullptr) listener_->alt_screen_changed(active, offset_after);
}

void TerminalModes::full_reset(std::size_t offset_after) {
    app_cursor_keys_ = false;
    app_keypad_ = false;
    bracketed_paste_ = false;
    cursor_visible_ = true;
    mouse_tracking_ = 0;
    mouse_encoding_ = 0;
    focus_events_ = false;
    autowrap_ = true;
    insert_mode_ = false;
    cursor_style_ = 0;
    scroll_top_ = scroll_bottom_ = 0;
    set_alt_screen(false, offset_after);
}

std::string TerminalModes::restore_sequence() const {
    std::string out;
    if (scroll_top_ != 0) {
        out += "\x1b[" + std::to_string(scroll_top_);
        if (scroll_bottom_ != 0) out += ";" + std::to_string(scroll_bottom_);
        out += "r";
    }
    auto private_mode = [&out](int mode, bool set) {
        out += "\x1b[?" + std::to_string(mode) + (set ? "h" : "l");
    };
    if (app_cursor_keys_) private_mode(1, true);
    if (app_keypad_) out += "\x1b=";
    if (!autowrap_) private_mode(7, false);
    if (insert_mode_) out += "\x1b[4h";
    if (bracketed_paste_) private_mode(2004, true);
    if (!cursor_visible_) private_mode(25, false);
    if (mouse_tracking_ != 0) private_mode(mouse_tracking_, true);
    if (mouse_encoding_ != 0) private_mode(mouse_encoding_, true);
    if (focus_events_) private_mode(1004, true);
    if (cursor_style_ != 0) out += "\x1b[" + std::to_string(cursor_style_) + " q";
    return out;
}

}  // namespace tandem
