// Untrusted JSON (frame payloads, token parts) read as the object it must be.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace tandem {

// The JSON object in text; nullopt when text is not valid JSON or is valid JSON but not an
// object (null, array, string, number). Never throws. A caller that treats "not an object"
// like "no fields" writes parse_json_object(text).value_or(nlohmann::json::object()).
std::optional<nlohmann::json> parse_json_object(std::string_view text);

}  // namespace tandem
