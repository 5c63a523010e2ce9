// tandem-soak-screen: the screen a terminal shows after a byte stream, for the soak
// (bench/soak.sh). Feeds each FILE to a tandem::ScreenState of ROWS x COLS (the project's own
// terminal model, the one the broker snapshots from) and prints one JSON line per file:
//   {"file", "bytes", "rows": [row text...], "pens": [[[col, pen], ...] per row], "cursor": [r, c],
//    "cursor_visible", "alt"}
// where a row's pens list the columns at which the cell attributes change (from column 0).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tandem/screen_state.hpp"

namespace {

using nlohmann::json;
using tandem::ScreenState;

std::string color_text(const ScreenState::Color& c) {
    switch (c.kind) {
        case ScreenState::Color::Kind::indexed:
            return std::to_string(c.index);
        case ScreenState::Color::Kind::rgb:
            return "#" + std::to_string(c.red) + "," + std::to_string(c.green) + "," +
                   std::to_string(c.blue);
        default:
            return "-";
    }
}

// A short readable form of a cell's attributes, e.g. "b u1 fg=196 bg=-".
std::string pen_text(const ScreenState::Pen& p) {
    std::string s;
    if (p.bold) s += "b ";
    if (p.italic) s += "i ";
    if (p.blink) s += "k ";
    if (p.reverse) s += "r ";
    if (p.strike) s += "s ";
    if (p.underline) s += "u" + std::to_string(p.underline) + " ";
    if (p.font) s += "f" + std::to_string(p.font) + " ";
    return s + "fg=" + color_text(p.fg) + " bg=" + color_text(p.bg);
}

json screen_of(const std::string& path, int rows, int cols) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return json{{"file", path}, {"error", "cannot read"}};
    ScreenState screen(rows, cols);
    std::vector<char> buffer(1 << 16);
    std::size_t total = 0;
    while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
        const auto n = static_cast<std::size_t>(in.gcount());
        screen.feed(std::string_view(buffer.data(), n));
        total += n;
    }
    json text = json::array(), pens = json::array();
    for (int r = 0; r < rows; ++r) {
        text.push_back(screen.row_text(r));
        json changes = json::array();
        std::string last;
        const auto cells = screen.row_cells(r);
        for (std::size_t c = 0; c < cells.size(); ++c) {
            auto pen = pen_text(cells[c].pen);
            if (c == 0 || pen != last) changes.push_back(json::array({c, pen}));
            last = std::move(pen);
        }
        pens.push_back(std::move(changes));
    }
    return json{{"file", path},
                {"bytes", total},
                {"rows", std::move(text)},
                {"pens", std::move(pens)},
                {"cursor", json::array({screen.cursor_row(), screen.cursor_col()})},
                {"cursor_visible", screen.cursor_visible()},
                {"alt", screen.alt_screen()}};
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::cerr << "usage: tandem-soak-screen ROWS COLS FILE...\n";
        return 2;
    }
    const int rows = std::stoi(argv[1]), cols = std::stoi(argv[2]);
    for (int i = 3; i < argc; ++i)
        std::cout
            << screen_of(argv[i], rows, cols).dump(-1, ' ', false, json::error_handler_t::replace)
            << "\n";
    return 0;
}
