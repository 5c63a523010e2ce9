// `ssh join@bastion TOKEN`: an invitee watching a shared session (docs/sharing.md). The screen
// arrives as a snapshot, then live output, read-only; the escape prompt offers control,
// release, who and exit. The broker decides everything; this side only shows and asks.
#pragma once

#include <string>

#include "shell_context.hpp"

namespace tandem {

class JoinViewer {
  public:
    JoinViewer(ShellContext& ctx, std::string token) : ctx_(ctx), token_(std::move(token)) {}
    // Returns the process exit status: 0 after a normal exit, 1 when refused or removed.
    int run();

  private:
    ShellContext& ctx_;
    std::string token_;
};

}  // namespace tandem
