// tandem-shell: the session hook on the user's terminal (docs/architecture.md). Run by tandem-sshd
// or as an OpenSSH forced command: tandem-shell [--config FILE] --user NAME.
#include "shell_app.hpp"

int main(int argc, char** argv) {
    return tandem::run_shell(argc, argv);
}
