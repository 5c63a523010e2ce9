// JSON objects received from a peer (broker frames, WebSocket messages): parsed without
// exceptions, and anything that is not a JSON object is nothing.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace tandem {

// nullopt when `text` is not valid JSON or not an object.
std::optional<nlohmann::json> parse_json_object(std::string_view text);

}  // namespace tandem
