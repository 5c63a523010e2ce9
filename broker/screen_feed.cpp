#include "screen_feed.hpp"

#include <algorithm>

namespace tandem::broker {

ScreenFeed::ScreenFeed(int rows, int cols) : screen_(std::make_unique<ScreenState>(rows, cols)) {
    modes_.set_listener(this);
}

void ScreenFeed::alt_screen_changed(bool active, std::size_t offset_after) {
    switches_.emplace_back(active, offset_after);
}

bool ScreenFeed::append(std::string_view output) {
    if (!output.empty()) snapshot_.reset();
    switches_.clear();
    modes_.feed(output);
    std::size_t done = 0;
    for (const auto& [active, offset] : switches_) {
        if (!active) {
            main_screen_.clear();
            continue;
        }
        // Parse up to the switch sequence (its ESC; a sequence split across chunks leaves the
        // emulator mid-sequence, still on the main screen) and keep the main screen's render.
        const auto head = output.substr(done, offset - done);
        const auto esc = head.rfind('\x1b');
        const std::size_t start = esc == std::string_view::npos ? done : done + esc;
        backlog_.append(output.substr(done, start - done));
        while (parse_slice()) {
        }
        if (!screen_->alt_screen()) main_screen_ = screen_->snapshot();
        done = start;
    }
    backlog_.append(output.substr(done));
    if (backlog_bytes() > kMaxBacklog) restart_from_tail(kResyncTail);
    return backlog_bytes() > 0;
}

void ScreenFeed::gap() {
    snapshot_.reset();
    restart_from_tail(0);
}

void ScreenFeed::restart_from_tail(std::size_t keep) {
    const std::size_t pending = backlog_bytes();
    const std::size_t drop = pending > keep ? pending - keep : 0;
    backlog_.erase(0, parsed_ + drop);
    parsed_ = 0;
    const int rows = screen_->rows();
    const int cols = screen_->cols();
    screen_ = std::make_unique<ScreenState>(rows, cols);
    // A fresh emulator starts on the main screen; put it where the host is.
    if (modes_.alt_screen()) screen_->feed("\x1b[?1049h");
}

void ScreenFeed::resize(int rows, int cols) {
    snapshot_.reset();
    while (parse_slice()) {
    }
    screen_->resize(rows, cols);
    modes_.screen_resized();
}

bool ScreenFeed::parse_slice() {
    const std::size_t n = std::min(kSliceBytes, backlog_bytes());
    if (n > 0) {
        screen_->feed(std::string_view(backlog_).substr(parsed_, n));
        parsed_ += n;
    }
    if (parsed_ == backlog_.size()) {
        backlog_.clear();
        parsed_ = 0;
    } else if (parsed_ > kMaxBacklog / 2) {
        backlog_.erase(0, parsed_);
        parsed_ = 0;
    }
    return backlog_bytes() > 0;
}

std::shared_ptr<const std::string> ScreenFeed::snapshot() {
    if (snapshot_) return snapshot_;
    while (parse_slice()) {
    }
    std::string out;
    // The viewer's terminal must be on the same screen before the repaint lands on it, and in
    // the host's modes first: setting the scroll region homes the cursor, the repaint places it.
    if (screen_->alt_screen() && !main_screen_.empty()) {
        // The main screen first, then the switch (which saves its cursor) and the alt screen.
        out += "\x1b[?1049l" + main_screen_ + "\x1b[?1049h";
        // The title is one per terminal: the main screen's render set the one it had then, and
        // the alt screen's render below says nothing of a title cleared since.
        if (screen_->title().empty()) out += "\x1b]2;\a";
    } else {
        out += screen_->alt_screen() ? "\x1b[?1049h" : "\x1b[?1049l";
    }
    out += modes_.restore_sequence();
    out += screen_->snapshot();
    snapshot_ = std::make_shared<const std::string>(std::move(out));
    return snapshot_;
}

}  // namespace tandem::broker
