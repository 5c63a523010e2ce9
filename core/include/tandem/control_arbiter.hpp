// Who controls a shared session; only the controller's input may reach the host. One at a time,
// initially the creator. An invitee applies; the creator alone agrees or refuses (an invitee
// holding control must not hand the host to someone the creator never approved); release hands
// control back to the creator; the creator can take it back at any time. The broker owns one
// arbiter per session and is the only one that asks it.
#pragma once

#include <optional>
#include <set>
#include <string>

namespace tandem {

using ParticipantId = std::string;

enum class ControlOutcome {
    ok,
    not_participant,     // the actor is not in the session
    not_allowed,         // the actor's role may not do this
    already_controller,  // applying or taking while already in control
    request_pending,     // someone else's request is waiting for an answer
    no_request,          // agree/refuse with nothing pending
};

class ControlArbiter {
  public:
    explicit ControlArbiter(ParticipantId creator);

    const ParticipantId& creator() const { return creator_; }
    const ParticipantId& controller() const { return controller_; }
    const std::optional<ParticipantId>& pending_request() const { return pending_; }
    const std::set<ParticipantId>& participants() const { return participants_; }
    bool is_participant(const ParticipantId& id) const { return participants_.count(id) > 0; }

    // The only question the relay asks: may this participant's input reach the host?
    bool may_send_input(const ParticipantId& id) const { return id == controller_; }

    ControlOutcome join(const ParticipantId& invitee);
    // Leaving drops the participant's pending request; a controller who leaves hands control
    // back to the creator. The creator leaving ends the session, which is not the arbiter's
    // business: it refuses (not_allowed).
    ControlOutcome leave(const ParticipantId& invitee);
    ControlOutcome apply(const ParticipantId& requester);
    // Answered by the creator only.
    ControlOutcome agree(const ParticipantId& answerer);
    ControlOutcome refuse(const ParticipantId& answerer);
    ControlOutcome release(const ParticipantId& controller);
    ControlOutcome take(const ParticipantId& creator);

  private:
    bool may_answer(const ParticipantId& id) const { return id == creator_; }

    ParticipantId creator_;
    ParticipantId controller_;
    std::optional<ParticipantId> pending_;
    std::set<ParticipantId> participants_;
};

const char* to_string(ControlOutcome outcome);

}  // namespace tandem
