// A terminal screen kept by libvterm, and its encoder: bytes that, written to a terminal,
// reproduce rows of this screen exactly. A full snapshot (for a late joiner) is the same
// encoder run over every row after a clear, so snapshots and partial repaints share one path.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tandem {

class ScreenState {
  public:
    struct Color {
        enum class Kind : std::uint8_t { default_color, indexed, rgb };
        Kind kind = Kind::default_color;
        std::uint8_t index = 0;                     // Kind::indexed
        std::uint8_t red = 0, green = 0, blue = 0;  // Kind::rgb
        bool operator==(const Color&) const = default;
    };

    // What a cell looks like apart from its text; also the pen new text is drawn with.
    struct Pen {
        bool bold = false;
        bool italic = false;
        bool blink = false;
        bool reverse = false;
        bool strike = false;
        int underline = 0;  // 0 off, 1 single, 2 double, 3 curly
        int font = 0;       // 0 primary, 1-9 alternative (SGR 10-19)
        Color fg;
        Color bg;
        bool operator==(const Pen&) const = default;
    };

    struct Cell {
        std::u32string chars;  // empty: erased cell; base character then combining characters
        int width = 1;         // 2 for a wide character; its right half is not a separate cell
        Pen pen;
        bool operator==(const Cell&) const = default;
    };

    ScreenState(int rows, int cols);
    ~ScreenState();
    ScreenState(const ScreenState&) = delete;
    ScreenState& operator=(const ScreenState&) = delete;

    // Host output, in order; sequences may be split across calls.
    void feed(std::string_view bytes);
    void resize(int rows, int cols);

    int rows() const { return rows_; }
    int cols() const { return cols_; }
    // The right half of a wide character reads as chars {0xffffffff}, width 1, the left half's pen.
    // Cells past the middle of a double-width line are not shown and read as blank.
    Cell cell(int row, int col) const;
    std::vector<Cell> row_cells(int row) const;  // every cell of a row, as cell() reads them
    std::string row_text(int row) const;         // UTF-8, erased cells as spaces, right-trimmed
    int cursor_row() const;
    int cursor_col() const;
    bool cursor_visible() const;
    bool alt_screen() const;
    const std::string& title() const;
    Pen pen() const;  // the pen the host draws with now
    // Bytes of terminal replies (DA, DSR, ...) vterm produced and that were dropped, for tests.
    std::size_t discarded_reply_bytes() const;

    // Bytes that repaint rows [first, last) exactly on a terminal of the same size, whatever
    // that terminal's pen; with_cursor then also restores the cursor position, the host's pen and
    // the cursor visibility.
    std::string render_rows(int first, int last, bool with_cursor) const;
    // A full repaint for a terminal of the same size: pen reset, clear, every row, cursor, pen,
    // visibility and the window title.
    std::string snapshot() const;

    struct Terminal;  // libvterm objects and callback state

  private:
    std::string render(int first, int last, bool with_cursor, bool after_clear) const;

    int rows_;
    int cols_;
    std::unique_ptr<Terminal> term_;
};

}  // namespace tandem
