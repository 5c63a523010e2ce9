// What every part of tandem-shell needs about this login: config, store, the person (from
// --user only) and how the user's side is attached.
#pragma once

#include <string>

#include "signal_pipe.hpp"
#include "tandem/config.hpp"
#include "tandem/store.hpp"

namespace tandem {

struct ShellContext {
    const Config& config;
    Store& store;
    User user;
    SignalPipe& signals;
    bool interactive = false;  // stdin and stdout are a terminal
    std::string term;          // sanitized TERM
    std::string client;        // "ssh 192.0.2.7:53422", "web 192.0.2.7"
    // Set for a web O&M session (the broker chose it); otherwise a new one per session.
    std::string session_uuid;
    // A web O&M session's browser shows sharing notices in its own panel, so the terminal
    // does not (an overlay would hold host output until a key).
    bool web = false;
    std::string via = "ssh";  // ShellArguments::via ("web" for a web O&M session)
};

}  // namespace tandem
