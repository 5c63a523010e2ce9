#include "viewer_outbox.hpp"

#include <algorithm>

namespace tandem::broker {

ViewerOutbox::Push ViewerOutbox::push(OutboxMessage message, Clock::time_point now) {
    if (closed_) return Push::closed;
    const std::size_t size = message.size();
    message.queued_at = now;
    if (message.droppable) {
        if (resync_due_) return Push::dropped;  // the coming snapshot covers it
        // An idle outbox always takes one message, so a snapshot larger than the soft limit
        // cannot ask for itself forever.
        if (!idle() && (queued_bytes_ + size > soft_limit_ || stale(now))) {
            drop_droppable();
            resync_due_ = true;
            if (counters_) ++counters_->drops;
            return Push::dropped;
        }
    } else if (queued_bytes_ + size > hard_limit_) {
        if (counters_) ++counters_->overflows;
        return Push::overflowed;
    }
    queued_bytes_ += size;
    queue_.push_back(std::move(message));
    return Push::queued;
}

bool ViewerOutbox::stale(Clock::time_point now) const {
    // Non-droppable messages are few (replies, notices): the first droppable one is near the
    // front.
    for (const auto& m : queue_)
        if (m.droppable) return now - m.queued_at > max_age_;
    return false;
}

const OutboxMessage* ViewerOutbox::start_write() {
    if (in_flight_ || queue_.empty()) return nullptr;
    in_flight_ = std::move(queue_.front());
    queue_.pop_front();
    auto mergeable_next = [this](std::size_t so_far) {
        return !queue_.empty() && queue_.front().mergeable &&
               queue_.front().kind == in_flight_->kind &&
               so_far + queue_.front().payload->size() <= kMaxMergedBytes;
    };
    if (in_flight_->mergeable && mergeable_next(in_flight_->payload->size())) {
        // Payloads are shared by every peer of a session: the merge is this peer's own copy.
        auto merged = std::make_shared<std::string>(*in_flight_->payload);
        queued_bytes_ -= in_flight_->size();
        while (mergeable_next(merged->size())) {
            queued_bytes_ -= queue_.front().size();
            merged->append(*queue_.front().payload);
            queue_.pop_front();
        }
        in_flight_->payload = std::move(merged);
        queued_bytes_ += in_flight_->size();
    }
    return &*in_flight_;
}

void ViewerOutbox::write_done() {
    if (!in_flight_) return;
    queued_bytes_ -= in_flight_->size();
    in_flight_.reset();
}

bool ViewerOutbox::take_resync() {
    if (!resync_due_ || !idle() || closed_) return false;
    resync_due_ = false;
    if (counters_) ++counters_->resyncs;
    return true;
}

void ViewerOutbox::drop_droppable() {
    std::erase_if(queue_, [this](const OutboxMessage& m) {
        if (m.droppable) queued_bytes_ -= m.size();
        return m.droppable;
    });
}

void ViewerOutbox::close() {
    closed_ = true;
    resync_due_ = false;
    queue_.clear();
    queued_bytes_ = in_flight_ ? in_flight_->size() : 0;
}

}  // namespace tandem::broker
