#include "tandem/json_object.hpp"

namespace tandem {

std::optional<nlohmann::json> parse_json_object(std::string_view text) {
    auto j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    return j;
}

}  // namespace tandem
