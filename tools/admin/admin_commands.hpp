// Execution of tandem-admin commands against the store. Each function prints what it did to
// ctx.out and writes the change, with its audit event, in one transaction.
#pragma once

#include <iosfwd>
#include <stdexcept>
#include <string>

#include "admin_command.hpp"
#include "tandem/config.hpp"
#include "tandem/store.hpp"

namespace tandem::admin {

// A command that could not be carried out; what() is the one line to print.
class AdminError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct Context {
    CommandLine cli;
    std::istream& in;
    std::ostream& out;
    bool interactive = false;  // stdin is a terminal: prompt for secrets without echo
    std::string actor;         // the invoking Unix user, recorded in the audit log
};

void run_init(const Command& cmd, Context& ctx);
void run_user_command(const Command& cmd, Context& ctx, Store& store);
void run_host_command(const Command& cmd, Context& ctx, Store& store, const Config& config);
void run_access_command(const Command& cmd, Context& ctx, Store& store);  // account/grant/revoke
void run_report_command(const Command& cmd, Context& ctx, Store& store);  // sessions/audit
// user list/show, host list, account list, grant list.
void run_listing_command(const Command& cmd, Context& ctx, Store& store);

// A password or other secret from stdin: the first line, without its line ending.
// Interactive: prompts on stderr with echo off, twice. Throws AdminError when empty or longer
// than max_length.
std::string read_secret(Context& ctx, const std::string& what, std::size_t max_length);

// The Unix user running tandem-admin.
std::string invoking_user();

}  // namespace tandem::admin
