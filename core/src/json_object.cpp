#include "tandem/json_object.hpp"

namespace tandem {

std::optional<nlohmann::json> parse_json_object(std::string_view text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    return j;
}

}  // namespace tandem
