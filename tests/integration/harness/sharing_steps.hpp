// What people do and see around a shared session, as steps tests compose: the escape prompt
// (^] COMMAND Enter), `share` and the invite it prints, and the way an invitee's ssh ends.
// PtySession overloads read the raw transcript; TmuxClient overloads drive a real screen and
// need a client made with record_output (the token is read from the bytes, not the screen,
// where a long token may be cut or wrapped).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "harness/process.hpp"
#include "harness/pty_session.hpp"
#include "harness/tmux_client.hpp"
#include "tandem/errors.hpp"

namespace tandem::test {

// The escape key and the prompt label drawn on the bottom row: the creator's, the invitee's.
inline constexpr const char* kEscapeKey = "\x1d";
inline constexpr const char* kEscapePromptLabel = "[tandem]";
inline constexpr const char* kJoinPromptLabel = "tandem (join)>";

// An invite as printed by `share`: the token, and the port and host of the `ssh -p PORT
// join@HOST TOKEN` line.
struct Invite {
    std::string token;
    std::string url;  // "<public_url>/join#TOKEN" when it was printed, else ""
    int port = 0;
    std::string host;
};

// The last `ssh -p PORT join@HOST TOKEN` line in text (and the URL carrying the same token).
std::optional<Invite> find_invite(const std::string& text);

// ^] then COMMAND Enter: opens the prompt (waiting until it is drawn) and runs the command.
// The reply is for the caller to expect; close_escape_prompt leaves the prompt.
// The creator's prompt stays open after a command and shows the answer above the prompt line.
void escape_command(PtySession& ssh, const std::string& command);
// The invitee's prompt closes by itself once a command is sent (the answer comes as a notice),
// so nothing is left to close — and any key after it would be keyboard input.
void invitee_command(PtySession& ssh, const std::string& command);
// An empty line closes the prompt (harmless for a shell if the prompt had closed already).
void close_escape_prompt(PtySession& ssh);
void escape_command(TmuxClient& screen, const std::string& command);
// Leaves the prompt if it is still drawn (Escape), and waits until it is gone.
void close_escape_prompt(TmuxClient& screen);

// `share` or `share TTL` at the escape prompt; returns the printed invite (a test failure and
// nullopt when none was printed within the timeout). Closes the prompt.
std::optional<Invite> share(PtySession& creator, const std::string& ttl = {},
                            std::chrono::milliseconds timeout = 20s);
std::optional<Invite> share(TmuxClient& creator, const std::string& ttl = {},
                            std::chrono::milliseconds timeout = 20s);

// The invitee's ssh ends with `code`'s message (code and sentence) and a non-zero status.
// Returns false (having added a failure) otherwise.
bool expect_ended_with(PtySession& ssh, ErrorCode code, std::chrono::milliseconds timeout = 30s);

// The SHA-256 of bytes, lowercase hex (for stream checks like the bulk test's).
std::string sha256_hex(const std::string& bytes);

// The base64 text between two offsets of a transcript, decoded after dropping CR and LF;
// nullopt when what is left is not base64.
std::optional<std::string> decode_base64_lines(const std::string& transcript, std::size_t begin,
                                               std::size_t end);

}  // namespace tandem::test
