// Aligned plain-text tables for `sessions` and `audit`: columns padded to their widest cell,
// two spaces apart, the last column unpadded. Control characters in cells are shown as '?'
// so stored text cannot drive the admin's terminal.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tandem::admin {

class TextTable {
  public:
    explicit TextTable(std::vector<std::string> headers);
    void add_row(std::vector<std::string> cells);
    void print(std::ostream& out) const;

  private:
    std::vector<std::vector<std::string>> rows_;  // rows_[0] is the header
};

// A Unix time as 2026-11-30T15:04:05Z.
std::string utc_text(std::int64_t unix_time);

// --json output: one document, pretty-printed, newline-terminated. Non-UTF-8 bytes from the
// store are replaced rather than failing the command.
void print_json(std::ostream& out, const nlohmann::json& document);

}  // namespace tandem::admin
