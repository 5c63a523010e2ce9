// Names a session: its uuid (from the OS CSPRNG) and its recording's file name.
#pragma once

#include <cstdint>
#include <string>

#include "tandem/session_uuid.hpp"

namespace tandem {

// new_session_uuid() lives in tandem/session_uuid.hpp.

// "<UTC yyyymmdd-hhmmss>-<user>-<login>@<host>-<uuid>.cast". Characters outside
// [A-Za-z0-9._@-] become '_' so a name can never leave the recordings directory.
std::string recording_file_name(std::int64_t started_at, const std::string& user,
                                const std::string& account, const std::string& uuid);

// "ssh 192.0.2.7:53422" from SSH_CONNECTION ("client_ip client_port server_ip server_port");
// "local" when it is absent or malformed.
std::string client_from_ssh_connection(const char* ssh_connection);

}  // namespace tandem
