// Draws a few lines (the escape prompt, sharing notices) over the bottom of the user's screen and
// restores the screen exactly when it closes.
// - Main screen: the user's terminal's own alternate screen is the scratch area: ?1049h saves the
//   cursor and shows a blank screen, ?1049l brings the main screen back untouched.
// - Alternate screen (a full-screen program such as vi): the rows drawn over are repainted from
//   the AltScreenMirror, which also restores the cursor and pen.
// The caller must not write host output to the terminal while the overlay is open.
#pragma once

#include <string>
#include <vector>

#include "tandem/alt_screen_mirror.hpp"

namespace tandem {

class PromptOverlay {
  public:
    explicit PromptOverlay(const AltScreenMirror& mirror) : mirror_(mirror) {}

    bool is_open() const { return open_; }

    // Opens the overlay if needed and draws `lines` on the bottom rows (one row each, cut to the
    // width); the cursor is left visible just after the last line. Returns the bytes to write.
    std::string show(const std::vector<std::string>& lines);
    // After the terminal was resized while open: clears what the old geometry left, redraws.
    std::string redraw_after_resize(const std::vector<std::string>& lines);
    // Closes the overlay and restores the screen. "" when it was not open.
    std::string close();

  private:
    std::string show_on_scratch(const std::vector<std::string>& lines);
    std::string show_rows(const std::vector<std::string>& lines, int rows, int cols);
    std::string clear_rows(int first, int last) const;

    const AltScreenMirror& mirror_;
    bool open_ = false;
    bool own_alt_screen_ = false;  // we switched the terminal to its alternate screen ourselves
    int first_row_drawn_ = 0;      // 0-based first row currently covered
    int first_row_ever_ = 0;       // smallest first row covered since opening
};

}  // namespace tandem
