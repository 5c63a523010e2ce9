#include "tandem/alt_screen_mirror.hpp"

#include "tandem/screen_state.hpp"

namespace tandem {

AltScreenMirror::AltScreenMirror(int rows, int cols, bool whole_screen)
    : rows_(rows), cols_(cols), whole_screen_(whole_screen) {
    modes_.set_listener(this);
    if (whole_screen_) screen_ = std::make_unique<ScreenState>(rows_, cols_);
}

AltScreenMirror::~AltScreenMirror() = default;

void AltScreenMirror::feed(std::string_view host_output) {
    current_chunk_ = host_output;
    fed_upto_ = 0;
    modes_.feed(host_output);  // may create or drop screen_ via alt_screen_changed()
    if (whole_screen_) {
        unparsed_.append(host_output);
        if (unparsed_.size() > kMaxUnparsed) unparsed_.erase(0, unparsed_.size() - kKeptTail);
    } else if (screen_ && fed_upto_ < host_output.size()) {
        screen_->feed(host_output.substr(fed_upto_));
    }
    current_chunk_ = {};
    fed_upto_ = 0;
}

void AltScreenMirror::alt_screen_changed(bool active, std::size_t offset_after) {
    if (whole_screen_) return;  // one emulator sees every byte, switches included
    if (active) {
        // A fresh screen from the byte after the switch: what the program draws from here on.
        screen_ = std::make_unique<ScreenState>(rows_, cols_);
    } else {
        screen_.reset();
    }
    fed_upto_ = offset_after;
}

void AltScreenMirror::resize(int rows, int cols) {
    rows_ = rows;
    cols_ = cols;
    modes_.screen_resized();
    parse_unparsed();  // what came before the resize was drawn at the old size
    if (screen_) screen_->resize(rows, cols);
}

void AltScreenMirror::parse_unparsed() const {
    if (unparsed_.empty() || !screen_) return;
    screen_->feed(unparsed_);
    unparsed_.clear();
}

std::string AltScreenMirror::repaint_rows(int first_row, int last_row) const {
    if (!screen_) return {};
    parse_unparsed();
    std::string out;
    // Insert mode would push the program's cells right instead of overwriting them.
    if (modes_.insert_mode()) out += "\x1b[4l";
    out += screen_->render_rows(first_row, last_row, true);
    if (modes_.insert_mode()) out += "\x1b[4h";
    return out;
}

}  // namespace tandem
