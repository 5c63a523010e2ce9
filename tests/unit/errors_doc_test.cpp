// docs/errors.md and the code's catalogue must list exactly the same codes and sentences.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "tandem/errors.hpp"

namespace tandem {
namespace {

struct DocRow {
    std::string kind;
    std::string sentence;
};

// Rows of the table: "| T_NNN | kind | sentence |".
std::map<std::string, DocRow> documented_codes(int& rows) {
    std::ifstream in(std::string(TANDEM_SOURCE_DIR) + "/docs/errors.md");
    EXPECT_TRUE(in) << "docs/errors.md is missing";
    const std::regex row(R"(^\|\s*(T_\d+)\s*\|\s*([a-z]+)\s*\|\s*(.*?)\s*\|\s*$)");
    std::map<std::string, DocRow> out;
    std::string line;
    rows = 0;
    while (std::getline(in, line)) {
        std::smatch m;
        if (!std::regex_match(line, m, row)) continue;
        ++rows;
        EXPECT_FALSE(out.count(m[1])) << m[1] << " is listed twice";
        out[m[1]] = {m[2], m[3]};
    }
    return out;
}

TEST(ErrorsDoc, EveryCatalogueEntryIsDocumentedWithExactlyItsSentence) {
    int rows = 0;
    const auto documented = documented_codes(rows);
    for (const auto& e : error_catalogue()) {
        auto it = documented.find(std::string(e.id));
        ASSERT_NE(it, documented.end()) << e.id << " is missing from docs/errors.md";
        EXPECT_EQ(it->second.kind, e.kind) << e.id;
        EXPECT_EQ(it->second.sentence, e.sentence) << e.id;
    }
    EXPECT_EQ(documented.size(), error_catalogue().size()) << "docs/errors.md has extra codes";
    EXPECT_EQ(rows, static_cast<int>(error_catalogue().size()));
}

TEST(ErrorsDoc, CodesAreUniqueAndMessagesWellFormed) {
    std::map<std::string, int> seen;
    for (const auto& e : error_catalogue()) {
        EXPECT_EQ(++seen[std::string(e.id)], 1) << e.id;
        EXPECT_TRUE(std::regex_match(std::string(e.id), std::regex(R"(T_\d{3})"))) << e.id;
        EXPECT_EQ(error_info(e.code).id, e.id);
        EXPECT_FALSE(e.sentence.empty());
        EXPECT_EQ(e.sentence.back(), '.') << e.id;
        EXPECT_EQ(user_message(e.code), std::string(e.kind) + " error (code: " + std::string(e.id) +
                                            "): " + std::string(e.sentence));
    }
    EXPECT_EQ(user_message(ErrorCode::T_514_host_unresponsive)
                  .rfind("connection error (code: T_514): ", 0),
              0u);
}

}  // namespace
}  // namespace tandem
