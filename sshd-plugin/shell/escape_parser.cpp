#include "escape_parser.hpp"

namespace tandem {
namespace {

constexpr unsigned char ctrl_c = 0x03;
constexpr unsigned char ctrl_h = 0x08;
constexpr unsigned char ctrl_u = 0x15;
constexpr unsigned char ctrl_w = 0x17;
constexpr unsigned char esc = 0x1b;
constexpr unsigned char del = 0x7f;

void append_to_host(std::vector<EscapeAction>& out, std::string_view bytes) {
    if (bytes.empty()) return;
    if (!out.empty() && out.back().kind == EscapeAction::Kind::to_host)
        out.back().text.append(bytes);
    else
        out.push_back({EscapeAction::Kind::to_host, std::string(bytes)});
}

}  // namespace

std::size_t EscapeParser::feed(std::string_view input, std::vector<EscapeAction>& out) {
    std::size_t i = 0;
    while (i < input.size()) {
        if (state_ == State::closed) {
            // Pass everything up to the escape key through in one piece: no per-byte work
            // beyond a memchr on the hot path.
            std::size_t next = std::string_view::npos;
            if (escape_key_ >= 0) next = input.find(static_cast<char>(escape_key_), i);
            if (next == std::string_view::npos) {
                append_to_host(out, input.substr(i));
                return input.size();
            }
            append_to_host(out, input.substr(i, next - i));
            state_ = State::open;
            line_.clear();
            out.push_back({EscapeAction::Kind::prompt_open, {}});
            i = next + 1;
            continue;
        }
        feed_prompt_byte(static_cast<unsigned char>(input[i]), i + 1 == input.size(), out);
        ++i;
        if (!out.empty() && out.back().kind == EscapeAction::Kind::prompt_submit) return i;
    }
    return i;
}

void EscapeParser::feed_prompt_byte(unsigned char byte, bool last_in_chunk,
                                    std::vector<EscapeAction>& out) {
    switch (state_) {
        case State::closed:
            return;
        case State::escape_seen:
            // ESC [ and ESC O start the sequences that arrow and function keys send: swallow them.
            // Anything else after ESC (Alt+key) closes the prompt like a lone ESC.
            if (byte == '[') {
                state_ = State::csi;
            } else if (byte == 'O') {
                state_ = State::ss3;
            } else {
                close(out);
            }
            return;
        case State::csi:
            if (byte >= 0x40 && byte <= 0x7e) state_ = State::open;  // final byte
            return;
        case State::ss3:
            state_ = State::open;
            return;
        case State::open:
            break;
    }

    if (escape_key_ >= 0 && byte == static_cast<unsigned char>(escape_key_)) {
        if (line_.empty()) {
            append_to_host(out, std::string(1, static_cast<char>(byte)));
            close(out);
        }
        return;
    }
    switch (byte) {
        case '\r':
        case '\n': {
            std::string entered;
            entered.swap(line_);
            out.push_back({EscapeAction::Kind::prompt_submit, std::move(entered)});
            return;
        }
        case ctrl_c:
            close(out);
            return;
        case esc:
            // A terminal sends a key's escape sequence in one write, so a lone ESC ends the chunk.
            if (last_in_chunk)
                close(out);
            else
                state_ = State::escape_seen;
            return;
        case del:
        case ctrl_h:
            if (!line_.empty()) {
                line_.pop_back();
                out.push_back({EscapeAction::Kind::prompt_edit, line_});
            }
            return;
        case ctrl_u:
            if (!line_.empty()) {
                line_.clear();
                out.push_back({EscapeAction::Kind::prompt_edit, line_});
            }
            return;
        case ctrl_w:
            if (line_.empty()) return;
            while (!line_.empty() && line_.back() == ' ') line_.pop_back();
            while (!line_.empty() && line_.back() != ' ') line_.pop_back();
            out.push_back({EscapeAction::Kind::prompt_edit, line_});
            return;
        default:
            break;
    }
    if (byte >= 0x20 && byte < 0x7f && line_.size() < max_line) {
        line_.push_back(static_cast<char>(byte));
        out.push_back({EscapeAction::Kind::prompt_edit, line_});
    }
}

void EscapeParser::close(std::vector<EscapeAction>& out) {
    state_ = State::closed;
    line_.clear();
    out.push_back({EscapeAction::Kind::prompt_close, {}});
}

void EscapeParser::close_prompt() {
    state_ = State::closed;
    line_.clear();
}

std::string escape_key_name(int escape_key) {
    if (escape_key < 0) return "none";
    if (escape_key < 0x20) return std::string{'^', static_cast<char>(escape_key + 0x40)};
    if (escape_key == 0x7f) return "^?";
    return std::string(1, static_cast<char>(escape_key));
}

}  // namespace tandem
