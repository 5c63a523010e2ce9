#include "tandem/errors.hpp"

namespace tandem {

const std::vector<ErrorInfo>& error_catalogue() {
    static const std::vector<ErrorInfo> catalogue = {
        {ErrorCode::T_101, "T_101", "service",
         "The bastion's configuration could not be read; an administrator must check tandem.conf."},
        {ErrorCode::T_102, "T_102", "service",
         "The bastion's store could not be opened; try again, and if it persists tell an "
         "administrator."},
        {ErrorCode::T_103, "T_103", "service",
         "The bastion hit an internal error; try again, and if it persists tell an administrator."},
        {ErrorCode::T_201, "T_201", "authentication",
         "The key you offered is not registered for this user; ask an administrator to add it."},
        {ErrorCode::T_202, "T_202", "authentication",
         "Too many failed or slow authentication attempts; reconnect and offer a registered key."},
        {ErrorCode::T_301, "T_301", "access",
         "No such account on this bastion; type hosts to list the accounts you may use."},
        {ErrorCode::T_302, "T_302", "access",
         "You hold no grant on this account; ask an administrator to grant it to you."},
        {ErrorCode::T_303, "T_303", "access",
         "That is not an account name; write it as LOGIN@HOST, for example root@web01."},
        {ErrorCode::T_304, "T_304", "access", "Unknown command; type help to list the commands."},
        {ErrorCode::T_305, "T_305", "access",
         "This login is reserved for joining shared sessions; use ssh join@bastion TOKEN."},
        {ErrorCode::T_501, "T_501", "connection",
         "The managed host could not be reached; check that it is up and its address and port "
         "are right, then try again."},
        {ErrorCode::T_502, "T_502", "connection",
         "The managed host presented a key that does not match the pinned one, so the connection "
         "was refused; an administrator must verify the host and re-pin its key."},
        {ErrorCode::T_503, "T_503", "connection",
         "The managed host has no pinned host key, so the connection was refused; an "
         "administrator must pin it with tandem-admin host add."},
        {ErrorCode::T_504, "T_504", "connection",
         "The managed host rejected the account's credential; an administrator must update the "
         "account with tandem-admin account add."},
        {ErrorCode::T_505, "T_505", "connection",
         "The managed host did not answer in time; check the network and try again."},
        {ErrorCode::T_506, "T_506", "connection",
         "The managed host refused to open a terminal for this account; check the account's "
         "shell on the host."},
        {ErrorCode::T_507, "T_507", "connection",
         "The connection to the managed host was lost; check the network and try again."},
        {ErrorCode::T_514, "T_514", "connection",
         "The server did not respond for a long time and the connection was closed; check your "
         "network and try again."},
        {ErrorCode::T_601, "T_601", "service",
         "The session could not be recorded, so it was not opened; an administrator must check "
         "the recordings directory."},
    };
    return catalogue;
}

const ErrorInfo& error_info(ErrorCode code) {
    for (const auto& e : error_catalogue())
        if (e.code == code) return e;
    return error_catalogue().front();
}

std::string user_message(ErrorCode code) {
    const auto& e = error_info(code);
    std::string out;
    out.append(e.kind).append(" error (code: ").append(e.id).append("): ").append(e.sentence);
    return out;
}

TandemError::TandemError(ErrorCode code, std::string detail)
    : std::runtime_error(user_message(code)), code_(code), detail_(std::move(detail)) {}

}  // namespace tandem
