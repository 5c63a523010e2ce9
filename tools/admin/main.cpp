// tandem-admin: the admin CLI over the store (README.md, Administration).
#include <unistd.h>

#include <iostream>

#include "admin_run.hpp"

int main(int argc, char** argv) {
    return tandem::admin::run(argc, argv, std::cin, std::cout, std::cerr,
                              ::isatty(STDIN_FILENO) == 1);
}
