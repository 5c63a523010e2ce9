// screen_detail::combining_mark and screen_detail::libvterm_width: libvterm's own answers, asked
// once per code point. libvterm 0.1.4 exports neither its combining table nor its widths, so a
// one-row terminal is shown "a" and the code point: the code point combined if it landed in the
// cell of the "a", and is as wide as the cursor moved past the "a".
#include <vterm.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "screen_terminal.hpp"

namespace tandem::screen_detail {
namespace {

constexpr std::uint32_t kCodeSpace = 0x110000;

// What libvterm makes of a code point, in 2 bits (0: not asked yet).
enum Kind : std::uint8_t { kUnknown = 0, kNarrow = 1, kCombining = 2, kWide = 3 };

class CharacterProbe {
  public:
    Kind kind(std::uint32_t cp) {
        const std::lock_guard<std::mutex> lock(mutex_);
        if (answers_.empty()) answers_.assign(kCodeSpace / 4, 0);  // 2 bits a code point
        const std::size_t at = cp / 4;
        const int shift = static_cast<int>(cp % 4) * 2;
        const auto known = static_cast<Kind>((answers_[at] >> shift) & 3);
        if (known != kUnknown) return known;
        const Kind answer = ask(cp);
        answers_[at] = static_cast<std::uint8_t>(answers_[at] | (answer << shift));
        return answer;
    }

  private:
    Kind ask(std::uint32_t cp) {
        if (vt_ == nullptr) {
            vt_ = vterm_new(1, 8);
            vterm_set_utf8(vt_, 1);
            screen_ = vterm_obtain_screen(vt_);
            vterm_screen_reset(screen_, 1);
        }
        std::string text = "\x1b[H\x1b[2Ja";
        append_utf8(text, cp);
        vterm_input_write(vt_, text.data(), text.size());
        VTermScreenCell cell{};
        vterm_screen_get_cell(screen_, VTermPos{0, 0}, &cell);
        if (cell.chars[0] == 'a' && cell.chars[1] == cp) return kCombining;
        VTermPos cursor{};
        vterm_state_get_cursorpos(vterm_obtain_state(vt_), &cursor);
        return cursor.col == 3 ? kWide : kNarrow;
    }

    std::mutex mutex_;
    std::vector<std::uint8_t> answers_;
    VTerm* vt_ = nullptr;  // lives as long as the process
    VTermScreen* screen_ = nullptr;
};

CharacterProbe& probe() {
    static CharacterProbe instance;
    return instance;
}

}  // namespace

bool combining_mark(std::uint32_t cp) {
    constexpr std::uint32_t kFirstMark = 0x300;  // nothing below combines
    if (cp < kFirstMark || !is_scalar_value(cp)) return false;
    return probe().kind(cp) == kCombining;
}

int libvterm_width(std::uint32_t cp) {
    if (cp < 0x300) return 1;  // nothing below is wide or combines
    if (!is_scalar_value(cp)) return 1;
    switch (probe().kind(cp)) {
        case kCombining:
            return 0;
        case kWide:
            return 2;
        default:
            return 1;
    }
}

}  // namespace tandem::screen_detail
