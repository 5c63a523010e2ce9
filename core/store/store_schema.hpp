#pragma once

#include <vector>

namespace tandem {

// Migration i (0-based) brings the schema from user_version i to i+1.
const std::vector<const char*>& schema_migrations();

}  // namespace tandem
