// A fresh directory per test. Removed when the test passed; kept (and its path printed)
// when it failed, so logs, recordings and stores survive for inspection.
#pragma once

#include <string>

namespace tandem::test {

class TempDir {
  public:
    explicit TempDir(const std::string& label = "it");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const { return path_; }
    std::string operator/(const std::string& name) const { return path_ + "/" + name; }
    // A new subdirectory (created 0700).
    std::string subdir(const std::string& name) const;

  private:
    std::string path_;
};

}  // namespace tandem::test
