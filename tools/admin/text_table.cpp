#include "text_table.hpp"

#include <algorithm>
#include <ctime>
#include <ostream>

namespace tandem::admin {
namespace {

std::string printable(std::string cell) {
    for (char& c : cell) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) c = '?';
    }
    return cell;
}

// Display width: UTF-8 continuation bytes take no column.
std::size_t width(const std::string& s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

}  // namespace

TextTable::TextTable(std::vector<std::string> headers) {
    rows_.push_back(std::move(headers));
}

void TextTable::add_row(std::vector<std::string> cells) {
    for (auto& cell : cells) cell = printable(std::move(cell));
    cells.resize(rows_.front().size());
    rows_.push_back(std::move(cells));
}

void TextTable::print(std::ostream& out) const {
    const std::size_t columns = rows_.front().size();
    std::vector<std::size_t> widths(columns, 0);
    for (const auto& row : rows_)
        for (std::size_t i = 0; i < columns; ++i) widths[i] = std::max(widths[i], width(row[i]));
    for (const auto& row : rows_) {
        std::string line;
        for (std::size_t i = 0; i < columns; ++i) {
            line += row[i];
            if (i + 1 < columns) line.append(widths[i] - width(row[i]) + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out << line << '\n';
    }
}

std::string utc_text(std::int64_t unix_time) {
    const std::time_t tt = static_cast<std::time_t>(unix_time);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

void print_json(std::ostream& out, const nlohmann::json& document) {
    out << document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace tandem::admin
