// The table of every tandem.conf key (private to tandem-base): how each is read into a Config,
// written back, and what it means. One table drives loading, overrides and render_config(), so
// they cannot disagree; config.cpp does the reading, this file knows the keys.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tandem/config.hpp"

namespace tandem {

struct KeySpec {
    const char* key;  // "section.key"
    const char* help;
    std::function<std::string(const Config&)> get;
    std::function<bool(Config&, const std::string&)> set;  // false when the value is malformed
};

const std::vector<KeySpec>& key_specs();

}  // namespace tandem
