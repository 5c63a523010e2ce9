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
        {ErrorCode::T_203, "T_203", "authentication",
         "Wrong user name or password; try again, or ask an administrator to set your password."},
        {ErrorCode::T_204, "T_204", "authentication",
         "Too many failed logins for this user or from this address; wait a few minutes and try "
         "again."},
        {ErrorCode::T_205, "T_205", "authentication",
         "You are not logged in, or your login expired; log in again."},
        {ErrorCode::T_206, "T_206", "access",
         "This request did not come from the bastion's own pages, so it was refused; open the "
         "bastion's address in your browser and try again."},
        {ErrorCode::T_207, "T_207", "service",
         "The bastion is busy checking other logins; try again in a moment."},
        {ErrorCode::T_208, "T_208", "service",
         "You have too many bastion pages watching sessions open; close one and try again."},
        {ErrorCode::T_301, "T_301", "access",
         "No such account on this bastion; type hosts to list the accounts you may use."},
        {ErrorCode::T_302, "T_302", "access",
         "You hold no grant on this account; ask an administrator to grant it to you."},
        {ErrorCode::T_303, "T_303", "access",
         "That is not an account name; write it as LOGIN@HOST, for example root@web01."},
        {ErrorCode::T_304, "T_304", "access", "Unknown command; type help to list the commands."},
        {ErrorCode::T_305, "T_305", "access",
         "This login is reserved for joining shared sessions; use ssh join@bastion TOKEN."},
        {ErrorCode::T_306, "T_306", "access",
         "Your access to this account was revoked, so the session was closed; ask an "
         "administrator."},
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
        {ErrorCode::T_701, "T_701", "service",
         "Sharing is unavailable because the bastion's broker is not running; your session "
         "continues, so try again later."},
        {ErrorCode::T_702, "T_702", "access",
         "This invitation is not valid; ask the session's creator for a new link."},
        {ErrorCode::T_703, "T_703", "access",
         "This invitation has expired; ask the session's creator for a new link."},
        {ErrorCode::T_704, "T_704", "access",
         "The session's creator cancelled sharing; ask for a new invitation."},
        {ErrorCode::T_705, "T_705", "access", "The shared session has ended."},
        {ErrorCode::T_706, "T_706", "access",
         "The session already has the maximum number of participants; try again when someone "
         "leaves."},
        {ErrorCode::T_707, "T_707", "access",
         "That invitation lifetime is longer than the bastion allows (invite.max_ttl); give a "
         "shorter one."},
        {ErrorCode::T_708, "T_708", "access",
         "Access to this session's account was revoked (yours or its creator's), so you were "
         "removed from the session."},
        {ErrorCode::T_711, "T_711", "access", "Only the session's creator can do that."},
        {ErrorCode::T_712, "T_712", "access",
         "Another participant's request for control is waiting for an answer; try again later."},
        {ErrorCode::T_713, "T_713", "access",
         "This session is not shared; type share to share it."},
        {ErrorCode::T_714, "T_714", "access", "There is no request for control to answer."},
        {ErrorCode::T_715, "T_715", "access",
         "You do not control the session, so there is nothing to release."},
        {ErrorCode::T_716, "T_716", "service",
         "The bastion's broker is not running, so shared sessions cannot be joined now; try again "
         "later."},
    };
    return catalogue;
}

const ErrorInfo& error_info(ErrorCode code) {
    for (const auto& e : error_catalogue())
        if (e.code == code) return e;
    return error_catalogue().front();
}

std::optional<ErrorCode> parse_error_code(std::string_view id) {
    for (const auto& e : error_catalogue())
        if (e.id == id) return e.code;
    return std::nullopt;
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
