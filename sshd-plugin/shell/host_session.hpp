// One terminal session on a managed host, end to end: access check (every time, in the
// store), recording, the target connection, the session row and audit, the relay, the end.
#pragma once

#include <string_view>

#include "shell_context.hpp"

namespace tandem {

// Runs the session for `account_text` ("root@web01"). Every refusal and failure is shown to
// the user as its T_ message. Returns the exit status for tandem-shell: the host's exit status
// when the shell ended, 1 when refused, 255 when the connection failed or the client left.
// share_at_start: share as soon as the session is up (`share LOGIN@HOST` at the prompt).
int run_host_session(ShellContext& context, std::string_view account_text,
                     bool share_at_start = false);

}  // namespace tandem
