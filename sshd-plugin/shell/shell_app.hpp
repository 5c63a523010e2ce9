// tandem-shell from argv to exit status: config, logging, the store, the person, then either
// the command the client gave or the interactive prompt. No exception leaves run_shell.
#pragma once

namespace tandem {

int run_shell(int argc, const char* const* argv);

}  // namespace tandem
