// A refusal as every broker reply carries it, to hooks, browsers and other nodes alike: "ok"
// false, the error's T_ code, and the one sentence docs/errors.md gives the user.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tandem/errors.hpp"

namespace tandem::broker {

inline nlohmann::json refusal(ErrorCode code) {
    return {
        {"ok", false}, {"code", std::string(error_info(code).id)}, {"text", user_message(code)}};
}

}  // namespace tandem::broker
