#include "tandem/control_arbiter.hpp"

#include <utility>

namespace tandem {

ControlArbiter::ControlArbiter(ParticipantId creator)
    : creator_(std::move(creator)), controller_(creator_) {
    participants_.insert(creator_);
}

ControlOutcome ControlArbiter::join(const ParticipantId& invitee) {
    if (invitee == creator_ || is_participant(invitee)) return ControlOutcome::not_allowed;
    participants_.insert(invitee);
    return ControlOutcome::ok;
}

ControlOutcome ControlArbiter::leave(const ParticipantId& invitee) {
    if (!is_participant(invitee)) return ControlOutcome::not_participant;
    if (invitee == creator_) return ControlOutcome::not_allowed;
    participants_.erase(invitee);
    if (pending_ == invitee) pending_.reset();
    if (controller_ == invitee) {
        controller_ = creator_;
        pending_.reset();  // the request was addressed to the one who left
    }
    return ControlOutcome::ok;
}

ControlOutcome ControlArbiter::apply(const ParticipantId& requester) {
    if (!is_participant(requester)) return ControlOutcome::not_participant;
    if (requester == controller_) return ControlOutcome::already_controller;
    if (requester == creator_) return ControlOutcome::not_allowed;  // the creator takes instead
    if (pending_ && *pending_ != requester) return ControlOutcome::request_pending;
    pending_ = requester;
    return ControlOutcome::ok;
}

ControlOutcome ControlArbiter::agree(const ParticipantId& answerer) {
    if (!is_participant(answerer)) return ControlOutcome::not_participant;
    if (!may_answer(answerer)) return ControlOutcome::not_allowed;
    if (!pending_) return ControlOutcome::no_request;
    controller_ = *pending_;
    pending_.reset();
    return ControlOutcome::ok;
}

ControlOutcome ControlArbiter::refuse(const ParticipantId& answerer) {
    if (!is_participant(answerer)) return ControlOutcome::not_participant;
    if (!may_answer(answerer)) return ControlOutcome::not_allowed;
    if (!pending_) return ControlOutcome::no_request;
    pending_.reset();
    return ControlOutcome::ok;
}

ControlOutcome ControlArbiter::release(const ParticipantId& controller) {
    if (!is_participant(controller)) return ControlOutcome::not_participant;
    if (controller != controller_ || controller == creator_) return ControlOutcome::not_allowed;
    controller_ = creator_;
    pending_.reset();
    return ControlOutcome::ok;
}

ControlOutcome ControlArbiter::take(const ParticipantId& creator) {
    if (creator != creator_) return ControlOutcome::not_allowed;
    if (controller_ == creator_) return ControlOutcome::already_controller;
    controller_ = creator_;
    pending_.reset();
    return ControlOutcome::ok;
}

const char* to_string(ControlOutcome outcome) {
    switch (outcome) {
        case ControlOutcome::ok:
            return "ok";
        case ControlOutcome::not_participant:
            return "not a participant";
        case ControlOutcome::not_allowed:
            return "not allowed";
        case ControlOutcome::already_controller:
            return "already in control";
        case ControlOutcome::request_pending:
            return "another request is pending";
        case ControlOutcome::no_request:
            return "no pending request";
    }
    return "unknown";
}

}  // namespace tandem
