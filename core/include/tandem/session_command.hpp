// The sharing commands every face speaks: the creator's escape prompt, an SSH invitee's escape
// prompt, the broker's wire protocol and the browser's WebSocket messages. Parsed once at each
// edge into SessionCommand; everything inside switches on the enum, never on the spelling.
#pragma once

#include <optional>
#include <string_view>

namespace tandem {

enum class SessionCommand {
    share,    // creator: share the session, issue an invite
    unshare,  // creator: Cancel share
    who,      // anyone: list the participants
    agree,    // creator: grant the pending request for control
    refuse,   // creator: refuse the pending request for control
    take,     // creator: take control back
    control,  // invitee: Apply for control
    release,  // invitee: Release control
    exit,     // invitee: Exit session
};

// The word on the wire and at the prompt ("share", "agree", ...).
std::string_view to_string(SessionCommand command);
// nullopt for anything that is not exactly one of the words above.
std::optional<SessionCommand> parse_session_command(std::string_view word);

// Who may issue it: the creator's hook, or an invitee (SSH or browser). `who` is both.
bool is_creator_command(SessionCommand command);
bool is_invitee_command(SessionCommand command);

}  // namespace tandem
