// Aligned plain-text tables for `sessions` and `audit`: columns padded to their widest cell,
// two spaces apart, the last column unpadded. Control characters in cells are shown as '?'
// so stored text cannot drive the admin's terminal.
#pragma once

#include <iosfwd>
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

}  // namespace tandem::admin
