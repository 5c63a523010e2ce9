// A terminal's size, as the SSH client reports it (pty-req, window-change) and as TIOCGWINSZ
// reads it: the one type the front end, the session hook and the screen state share.
#pragma once

namespace tandem {

struct TerminalSize {
    int rows = 24;
    int cols = 80;
    int px_width = 0;  // pixels: only some clients report them; 0 = unknown
    int px_height = 0;
};

}  // namespace tandem
