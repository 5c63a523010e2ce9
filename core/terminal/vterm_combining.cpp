// screen_detail::combining_mark: libvterm's own answer, asked once per code point. libvterm
// 0.1.4 does not export its combining table, so a one-row terminal is shown "a" and the code
// point, and the code point combined if it landed in the cell of the "a".
#include <vterm.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "screen_terminal.hpp"

namespace tandem::screen_detail {
namespace {

constexpr std::uint32_t kFirstMark = 0x300;  // nothing below combines
constexpr std::uint32_t kCodeSpace = 0x110000;

class CombiningProbe {
  public:
    bool combining(std::uint32_t cp) {
        const std::lock_guard<std::mutex> lock(mutex_);
        if (answers_.empty()) answers_.assign(kCodeSpace / 4, 0);  // 2 bits a code point
        const std::size_t at = cp / 4;
        const int shift = static_cast<int>(cp % 4) * 2;
        const int known = (answers_[at] >> shift) & 3;
        if (known != 0) return known == 2;
        const bool answer = ask(cp);
        answers_[at] = static_cast<std::uint8_t>(answers_[at] | ((answer ? 2 : 1) << shift));
        return answer;
    }

  private:
    bool ask(std::uint32_t cp) {
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
        return cell.chars[0] == 'a' && cell.chars[1] == cp;
    }

    std::mutex mutex_;
    std::vector<std::uint8_t> answers_;
    VTerm* vt_ = nullptr;  // lives as long as the process
    VTermScreen* screen_ = nullptr;
};

}  // namespace

bool combining_mark(std::uint32_t cp) {
    if (cp < kFirstMark || !is_scalar_value(cp)) return false;
    static CombiningProbe probe;
    return probe.combining(cp);
}

}  // namespace tandem::screen_detail
