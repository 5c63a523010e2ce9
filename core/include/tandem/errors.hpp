// Stable user-facing error codes. Every code a user can meet lives in the catalogue in
// errors.cpp with exactly one sentence; docs/errors.md lists the same pairs (a unit test
// keeps the two identical).
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tandem {

enum class ErrorCode {
    // 1xx: configuration and local service problems
    T_101_bad_config,         // configuration unreadable or invalid
    T_102_store_unavailable,  // store unavailable
    T_103_internal,           // internal error
    T_104_node_id_in_use,     // another running node holds this cluster.node
    // 2xx: who you are
    T_201_key_not_registered,      // SSH authentication failed (unknown user or key: one code, no
                                   // enumeration)
    T_202_auth_attempts_exceeded,  // too many authentication attempts / login grace time exceeded
    T_203_wrong_password,       // web login: wrong user name or password (one code, no enumeration)
    T_204_login_throttled,      // web login: too many failed logins from this user or address
    T_205_not_logged_in,        // web: not logged in, or the login expired
    T_206_foreign_origin,       // web: request not sent from this bastion's pages (Origin)
    T_207_login_checker_busy,   // web: too many logins being checked at once
    T_208_too_many_websockets,  // web: too many WebSocket viewers open for this user
    T_209_user_disabled,  // the user is disabled by an administrator (after proof of identity)
    T_220_web_session_not_yours,  // web O&M: no such session for this login (ended, or another's)
    T_221_too_many_web_sessions,  // web O&M: web.max_om_sessions_per_user reached
    T_222_web_session_failed,     // web O&M: the broker could not start the session hook
    T_230_not_an_operator,        // web: live sessions and recordings need admin or auditor
    T_231_admin_only,             // web: terminate needs admin (auditors only watch and play)
    T_232_recording_unavailable,  // web: no such ended session with a readable recording
    // 3xx: what you may use
    T_301_unknown_account,     // unknown account LOGIN@HOST
    T_302_no_grant,            // no grant on the account
    T_303_malformed_account,   // malformed LOGIN@HOST
    T_304_unknown_command,     // unknown bastion command
    T_305_reserved_login,      // reserved login name used without its purpose (e.g. join without a
                               // token)
    T_306_access_revoked,      // access revoked while the session was open (grant, user, account or
                               // host gone)
    T_320_session_terminated,  // an administrator ended the session (tandem-admin terminate)
    // 5xx: the managed host
    T_501_host_unreachable,       // host unreachable
    T_502_host_key_mismatch,      // host key does not match the pinned key
    T_503_host_key_unpinned,      // host has no pinned key
    T_504_host_auth_failed,       // authentication at the host failed
    T_505_host_timeout,           // connect timeout
    T_506_host_refused_terminal,  // host refused the terminal (pty/shell request)
    T_507_host_lost,              // connection to the host lost
    T_514_host_unresponsive,      // host stopped answering keepalives
    // 6xx: recording and audit
    T_601_recording_failed,  // recording could not be written
    T_602_recording_lost,    // a live session's recording stopped being written: it ended
    // 7xx: shared sessions
    T_701_broker_down,
    T_702_invite_invalid,
    T_703_invite_expired,
    T_704_share_cancelled,
    T_705_session_ended,
    T_706_share_full,
    T_707_invite_ttl_too_long,
    T_708_grant_revoked,
    T_711_creator_only,
    T_712_request_pending,
    T_713_not_shared,
    T_714_no_request,
    T_715_not_controller,
    T_716_join_unavailable,
    T_717_share_resuming,
};

struct ErrorInfo {
    ErrorCode code;
    std::string_view id;        // "T_514"
    std::string_view kind;      // "connection", "access", "authentication", "service"
    std::string_view sentence;  // what happened and what to do
};

// The whole catalogue, in code order.
const std::vector<ErrorInfo>& error_catalogue();
const ErrorInfo& error_info(ErrorCode code);

// "T_514" -> ErrorCode::T_514_host_unresponsive; nullopt for anything not in the catalogue.
std::optional<ErrorCode> parse_error_code(std::string_view id);

// "connection error (code: T_514): The server did not respond ..." — what users see.
std::string user_message(ErrorCode code);

// An error a user can meet; what() is user_message(code) plus optional detail for logs.
class TandemError : public std::runtime_error {
  public:
    explicit TandemError(ErrorCode code, std::string detail = {});
    ErrorCode code() const noexcept { return code_; }
    const std::string& detail() const noexcept { return detail_; }

  private:
    ErrorCode code_;
    std::string detail_;
};

}  // namespace tandem
