#include "tandem/errors.hpp"

namespace tandem {

const std::vector<ErrorInfo>& error_catalogue() {
    static const std::vector<ErrorInfo> catalogue = {
        {ErrorCode::T_101_bad_config, "T_101", "service",
         "The bastion's configuration could not be read; an administrator must check tandem.conf."},
        {ErrorCode::T_102_store_unavailable, "T_102", "service",
         "The bastion's store could not be opened; try again, and if it persists tell an "
         "administrator."},
        {ErrorCode::T_103_internal, "T_103", "service",
         "The bastion hit an internal error; try again, and if it persists tell an administrator."},
        {ErrorCode::T_104_node_id_in_use, "T_104", "service",
         "Another running bastion node uses this node id with the same store; give each node its "
         "own cluster.node in tandem.conf."},
        {ErrorCode::T_201_key_not_registered, "T_201", "authentication",
         "The key you offered is not registered for this user; ask an administrator to add it."},
        {ErrorCode::T_202_auth_attempts_exceeded, "T_202", "authentication",
         "Too many failed or slow authentication attempts; reconnect and offer a registered key."},
        {ErrorCode::T_203_wrong_password, "T_203", "authentication",
         "Wrong user name or password; try again, or ask an administrator to set your password."},
        {ErrorCode::T_204_login_throttled, "T_204", "authentication",
         "Too many failed logins for this user or from this address; wait a few minutes and try "
         "again."},
        {ErrorCode::T_205_not_logged_in, "T_205", "authentication",
         "You are not logged in, or your login expired; log in again."},
        {ErrorCode::T_206_foreign_origin, "T_206", "access",
         "This request did not come from the bastion's own pages, so it was refused; open the "
         "bastion's address in your browser and try again."},
        {ErrorCode::T_207_login_checker_busy, "T_207", "service",
         "The bastion is busy checking other logins; try again in a moment."},
        {ErrorCode::T_208_too_many_websockets, "T_208", "service",
         "You have too many bastion pages watching sessions open; close one and try again."},
        {ErrorCode::T_209_user_disabled, "T_209", "authentication",
         "Your bastion user is disabled, so you cannot log in; ask an administrator."},
        {ErrorCode::T_220_web_session_not_yours, "T_220", "access",
         "That web session is not open for this login: it ended or belongs to another login; "
         "open Host Ops and choose LogIn again."},
        {ErrorCode::T_221_too_many_web_sessions, "T_221", "service",
         "You have too many web sessions open; end one with Exit session and try again."},
        {ErrorCode::T_222_web_session_failed, "T_222", "service",
         "The bastion could not start your web session; try again, and if it persists tell an "
         "administrator."},
        {ErrorCode::T_230_not_an_operator, "T_230", "access",
         "Live sessions and recordings are for administrators and auditors; ask an "
         "administrator for the auditor role."},
        {ErrorCode::T_231_admin_only, "T_231", "access",
         "Only an administrator may do this; auditors may watch live sessions and play "
         "recordings but change nothing."},
        {ErrorCode::T_232_recording_unavailable, "T_232", "access",
         "That recording is not available: the session is unknown, still live, or its "
         "recording file is missing."},
        {ErrorCode::T_301_unknown_account, "T_301", "access",
         "No such account on this bastion; type hosts to list the accounts you may use."},
        {ErrorCode::T_302_no_grant, "T_302", "access",
         "You hold no grant on this account; ask an administrator to grant it to you."},
        {ErrorCode::T_303_malformed_account, "T_303", "access",
         "That is not an account name; write it as LOGIN@HOST, for example root@web01."},
        {ErrorCode::T_304_unknown_command, "T_304", "access",
         "Unknown command; type help to list the commands."},
        {ErrorCode::T_305_reserved_login, "T_305", "access",
         "This login is reserved for joining shared sessions; use ssh join@bastion TOKEN."},
        {ErrorCode::T_306_access_revoked, "T_306", "access",
         "Your access to this account was revoked, so the session was closed; ask an "
         "administrator."},
        {ErrorCode::T_320_session_terminated, "T_320", "access",
         "An administrator ended this session; the reason follows. Ask them if it is unclear."},
        {ErrorCode::T_501_host_unreachable, "T_501", "connection",
         "The managed host could not be reached; check that it is up and its address and port "
         "are right, then try again."},
        {ErrorCode::T_502_host_key_mismatch, "T_502", "connection",
         "The managed host presented a key that does not match the pinned one, so the connection "
         "was refused; an administrator must verify the host and re-pin its key."},
        {ErrorCode::T_503_host_key_unpinned, "T_503", "connection",
         "The managed host has no pinned host key, so the connection was refused; an "
         "administrator must pin it with tandem-admin host add."},
        {ErrorCode::T_504_host_auth_failed, "T_504", "connection",
         "The managed host rejected the account's credential; an administrator must update the "
         "account with tandem-admin account add."},
        {ErrorCode::T_505_host_timeout, "T_505", "connection",
         "The managed host did not answer in time; check the network and try again."},
        {ErrorCode::T_506_host_refused_terminal, "T_506", "connection",
         "The managed host refused to open a terminal for this account; check the account's "
         "shell on the host."},
        {ErrorCode::T_507_host_lost, "T_507", "connection",
         "The connection to the managed host was lost; check the network and try again."},
        {ErrorCode::T_514_host_unresponsive, "T_514", "connection",
         "The server did not respond for a long time and the connection was closed; check your "
         "network and try again."},
        {ErrorCode::T_601_recording_failed, "T_601", "service",
         "The session could not be recorded, so it was not opened; an administrator must check "
         "the recordings directory."},
        {ErrorCode::T_602_recording_lost, "T_602", "service",
         "The session's recording could no longer be written (the disk may be full), so the "
         "session was ended; an administrator must check the recordings directory."},
        {ErrorCode::T_701_broker_down, "T_701", "service",
         "Sharing is unavailable because the bastion's broker is not running; your session "
         "continues, so try again later."},
        {ErrorCode::T_702_invite_invalid, "T_702", "access",
         "This invitation is not valid; ask the session's creator for a new link."},
        {ErrorCode::T_703_invite_expired, "T_703", "access",
         "This invitation has expired; ask the session's creator for a new link."},
        {ErrorCode::T_704_share_cancelled, "T_704", "access",
         "The session's creator cancelled sharing; ask for a new invitation."},
        {ErrorCode::T_705_session_ended, "T_705", "access", "The shared session has ended."},
        {ErrorCode::T_706_share_full, "T_706", "access",
         "The session already has the maximum number of participants; try again when someone "
         "leaves."},
        {ErrorCode::T_707_invite_ttl_too_long, "T_707", "access",
         "That invitation lifetime is longer than the bastion allows (invite.max_ttl); give a "
         "shorter one."},
        {ErrorCode::T_708_grant_revoked, "T_708", "access",
         "Access to this session's account was revoked (yours or its creator's), so you were "
         "removed from the session."},
        {ErrorCode::T_711_creator_only, "T_711", "access",
         "Only the session's creator can do that."},
        {ErrorCode::T_712_request_pending, "T_712", "access",
         "Another participant's request for control is waiting for an answer; try again later."},
        {ErrorCode::T_713_not_shared, "T_713", "access",
         "This session is not shared; type share to share it."},
        {ErrorCode::T_714_no_request, "T_714", "access",
         "There is no request for control to answer."},
        {ErrorCode::T_715_not_controller, "T_715", "access",
         "You do not control the session, so there is nothing to release."},
        {ErrorCode::T_716_join_unavailable, "T_716", "service",
         "The bastion's broker is not running, so shared sessions cannot be joined now; try again "
         "later."},
        {ErrorCode::T_717_share_resuming, "T_717", "service",
         "The shared session is reconnecting (the bastion's broker restarted, or the node holding "
         "it cannot be reached); it will be back within seconds."},
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
