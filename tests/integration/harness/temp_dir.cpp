#include "harness/temp_dir.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace tandem::test {

TempDir::TempDir(const std::string& label) {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/tandem-" + label + "-XXXXXX";
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed for " + tmpl);
    path_ = tmpl;
}

TempDir::~TempDir() {
    if (::testing::Test::HasFailure()) {
        std::fprintf(stderr, "[ kept     ] test files for inspection in %s\n", path_.c_str());
        return;
    }
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string TempDir::subdir(const std::string& name) const {
    std::string p = path_ + "/" + name;
    ::mkdir(p.c_str(), 0700);
    return p;
}

}  // namespace tandem::test
