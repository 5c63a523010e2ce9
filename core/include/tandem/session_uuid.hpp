// Session ids: random RFC 4122 version 4 UUIDs from the OS CSPRNG. tandem-shell names its
// sessions with them, and the broker names the web O&M sessions it starts.
#pragma once

#include <string>

namespace tandem {

// "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" (lower case). Throws on failure.
std::string new_session_uuid();

// Whether text has that shape (8-4-4-4-12 lower-case hex digits).
bool is_session_uuid(const std::string& text);

}  // namespace tandem
