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
    T_101,  // configuration unreadable or invalid
    T_102,  // store unavailable
    T_103,  // internal error
    // 2xx: who you are
    T_201,  // SSH authentication failed (unknown user or key: one code, no enumeration)
    T_202,  // too many authentication attempts / login grace time exceeded
    T_203,  // web login: wrong user name or password (one code, no enumeration)
    T_204,  // web login: too many failed logins from this user or address
    T_205,  // web: not logged in, or the login expired
    T_206,  // web: request not sent from this bastion's pages (Origin)
    T_207,  // web: too many logins being checked at once
    T_208,  // web: too many WebSocket viewers open for this user
    // 3xx: what you may use
    T_301,  // unknown account LOGIN@HOST
    T_302,  // no grant on the account
    T_303,  // malformed LOGIN@HOST
    T_304,  // unknown bastion command
    T_305,  // reserved login name used without its purpose (e.g. join without a token)
    T_306,  // access revoked while the session was open (grant, user, account or host gone)
    // 5xx: the managed host
    T_501,  // host unreachable
    T_502,  // host key does not match the pinned key
    T_503,  // host has no pinned key
    T_504,  // authentication at the host failed
    T_505,  // connect timeout
    T_506,  // host refused the terminal (pty/shell request)
    T_507,  // connection to the host lost
    T_514,  // host stopped answering keepalives
    // 6xx: recording and audit
    T_601,  // recording could not be written
    // 7xx: shared sessions
    T_701,
    T_702,
    T_703,
    T_704,
    T_705,
    T_706,
    T_707,
    T_708,
    T_711,
    T_712,
    T_713,
    T_714,
    T_715,
    T_716,
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

// "T_514" -> ErrorCode::T_514; nullopt for anything not in the catalogue.
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
