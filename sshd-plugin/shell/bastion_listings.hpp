// What the bastion prompt's `hosts` and `sessions` commands print (pure formatting).
#pragma once

#include <string>
#include <vector>

#include "tandem/store.hpp"

namespace tandem {

struct GrantedAccount {
    std::string name;     // "root@web01"
    std::string address;  // "10.0.0.5:22"
};

// One account per line: "root@web01  10.0.0.5:22", names aligned; a sentence when empty.
std::string format_hosts(const std::vector<GrantedAccount>& accounts);

// A table: start (UTC), account, duration, how it ended; a sentence when empty.
std::string format_sessions(const std::vector<SessionRecord>& sessions, UnixTime now);

// "1h02m03s", "5m12s", "12s".
std::string format_duration(UnixTime seconds);

}  // namespace tandem
