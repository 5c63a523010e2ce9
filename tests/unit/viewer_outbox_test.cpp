// The slow-peer policy of every broker connection, transition by transition: each row is a
// sequence of steps on a fresh outbox (soft limit 100 bytes, hard 300, age limit 50 ms)
// and what must follow. Time is the test's own: it moves only at a "wait" step.
#include "viewer_outbox.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tandem::broker {
namespace {

using Push = ViewerOutbox::Push;
using Clock = ViewerOutbox::Clock;
// The broker's default (broker.viewer_max_lag). The other tests have no age limit: a slow
// machine must not age their output into a drop.
constexpr auto kMaxAge = std::chrono::milliseconds(50);

// out:N / ctl:N push N bytes of droppable output / non-droppable control; write: starts the
// next write; done: completes it; resync: takes a due resync; drop: drop_droppable; close;
// wait:N lets N ms pass.
struct Step {
    std::string op;
    std::size_t bytes = 0;
    // Expected: the push result, or for write/resync whether something came out.
    std::string expect;
};

struct Row {
    const char* name;
    std::vector<Step> steps;
    std::size_t queued_bytes;  // at the end
    bool resync_due;           // at the end
};

std::string name_of(Push p) {
    switch (p) {
        case Push::queued:
            return "queued";
        case Push::dropped:
            return "dropped";
        case Push::overflowed:
            return "overflowed";
        case Push::closed:
            return "closed";
    }
    return "?";
}

OutboxMessage message(std::size_t bytes, bool droppable) {
    return {.kind = 0,
            .payload = std::make_shared<const std::string>(bytes, 'x'),
            .droppable = droppable};
}

const std::vector<Row> kRows = {
    {"output fits under the soft limit", {{"out", 40, "queued"}, {"out", 40, "queued"}}, 80, false},
    {"an idle outbox takes even an oversized snapshot", {{"out", 150, "queued"}}, 150, false},
    {"past the soft limit queued output is dropped and a resync is due",
     {{"out", 60, "queued"}, {"write", 0, "60"}, {"out", 30, "queued"}, {"out", 30, "dropped"}},
     60,  // the pinned message stays; the queued 30 went
     true},
    {"while a resync is due, further output is refused",
     {{"out", 60, "queued"}, {"write", 0, "60"}, {"out", 50, "dropped"}, {"out", 1, "dropped"}},
     60,
     true},
    {"control messages survive the drop and keep their order",
     {{"out", 60, "queued"},
      {"write", 0, "60"},
      {"ctl", 10, "queued"},
      {"out", 50, "dropped"},
      {"done", 0, ""},
      {"write", 0, "10"}},
     10,
     true},
    {"the resync comes only when everything queued is written",
     {{"out", 60, "queued"},
      {"write", 0, "60"},
      {"ctl", 10, "queued"},
      {"out", 50, "dropped"},
      {"resync", 0, "no"},
      {"done", 0, ""},
      {"resync", 0, "no"},
      {"write", 0, "10"},
      {"done", 0, ""},
      {"resync", 0, "yes"},
      {"resync", 0, "no"},
      {"out", 20, "queued"}},
     20,
     false},
    {"control past the hard limit overflows: the peer does not read",
     {{"ctl", 200, "queued"}, {"ctl", 100, "queued"}, {"ctl", 1, "overflowed"}},
     300,
     false},
    {"one write at a time",
     {{"ctl", 10, "queued"}, {"ctl", 10, "queued"}, {"write", 0, "10"}, {"write", 0, "none"}},
     20,
     false},
    {"drop_droppable keeps the pinned message and control, asks no resync",
     {{"out", 30, "queued"},
      {"write", 0, "30"},
      {"out", 30, "queued"},
      {"ctl", 5, "queued"},
      {"drop", 0, ""}},
     35,
     false},
    {"after close nothing is accepted and only the pinned message counts",
     {{"out", 30, "queued"},
      {"write", 0, "30"},
      {"ctl", 5, "queued"},
      {"close", 0, ""},
      {"ctl", 1, "closed"},
      {"out", 1, "closed"}},
     30,
     false},
    {"output that waited past the age limit is dropped and a resync is due",
     {{"out", 10, "queued"},
      {"write", 0, "10"},
      {"out", 10, "queued"},
      {"wait", 50, ""},
      {"out", 10, "queued"},  // 50 ms is not past the limit
      {"wait", 1, ""},
      {"out", 10, "dropped"}},
     10,  // only the pinned message
     true},
    {"the pinned message's age does not count: an empty queue takes output",
     {{"out", 10, "queued"}, {"write", 0, "10"}, {"wait", 500, ""}, {"out", 10, "queued"}},
     20,
     false},
    {"control does not age: only queued output does",
     {{"out", 10, "queued"},
      {"write", 0, "10"},
      {"ctl", 5, "queued"},
      {"wait", 100, ""},
      {"out", 10, "queued"},
      {"wait", 30, ""},
      {"out", 10, "queued"},
      {"wait", 30, ""},
      {"out", 10, "dropped"}},  // the first queued output is now 60 ms old
     15,
     true},
    {"a closed outbox never asks for a resync",
     {{"out", 60, "queued"},
      {"write", 0, "60"},
      {"out", 50, "dropped"},
      {"close", 0, ""},
      {"done", 0, ""},
      {"resync", 0, "no"}},
     0,
     false},
};

TEST(ViewerOutbox, EveryTransition) {
    for (const auto& row : kRows) {
        SCOPED_TRACE(row.name);
        ViewerOutbox box(100, 300, nullptr, kMaxAge);
        auto now = Clock::time_point{} + std::chrono::hours(1);
        for (std::size_t i = 0; i < row.steps.size(); ++i) {
            const auto& step = row.steps[i];
            SCOPED_TRACE("step " + std::to_string(i) + " " + step.op);
            if (step.op == "out" || step.op == "ctl") {
                EXPECT_EQ(name_of(box.push(message(step.bytes, step.op == "out"), now)),
                          step.expect);
            } else if (step.op == "wait") {
                now += std::chrono::milliseconds(step.bytes);
            } else if (step.op == "write") {
                const OutboxMessage* m = box.start_write();
                EXPECT_EQ(m ? std::to_string(m->payload->size()) : "none", step.expect);
            } else if (step.op == "done") {
                box.write_done();
            } else if (step.op == "resync") {
                EXPECT_EQ(box.take_resync() ? "yes" : "no", step.expect);
            } else if (step.op == "drop") {
                box.drop_droppable();
            } else if (step.op == "close") {
                box.close();
            } else {
                FAIL() << "unknown op " << step.op;
            }
        }
        EXPECT_EQ(box.queued_bytes(), row.queued_bytes);
        EXPECT_EQ(box.resync_due(), row.resync_due);
    }
}

TEST(ViewerOutbox, ThePinnedMessageNeverMoves) {
    ViewerOutbox box(100, 1000);
    ASSERT_EQ(box.push(message(50, true)), Push::queued);
    const OutboxMessage* pinned = box.start_write();
    ASSERT_NE(pinned, nullptr);
    const std::string* payload = pinned->payload.get();
    // Enough traffic to reallocate any container, then a drop and a close.
    for (int i = 0; i < 100; ++i) box.push(message(1, false));
    box.push(message(90, true));
    box.drop_droppable();
    box.close();
    EXPECT_EQ(pinned->payload.get(), payload);
    EXPECT_EQ(pinned->payload->size(), 50u);
    box.write_done();
    EXPECT_EQ(box.queued_bytes(), 0u);
}

TEST(ViewerOutbox, TransportOverheadCountsTowardTheLimits) {
    ViewerOutbox box(100, 100);
    ASSERT_EQ(box.push({.payload = std::make_shared<const std::string>(90, 'x'), .overhead = 5}),
              Push::queued);
    EXPECT_EQ(box.push({.payload = std::make_shared<const std::string>(1, 'x'), .overhead = 5}),
              Push::overflowed);
    EXPECT_EQ(box.queued_bytes(), 95u);
}

// A peer that is behind gets its queued output in one message: the payloads in order, each
// message's transport overhead counted once, never past kMaxMergedBytes, never across a message
// of another kind, and the shared payloads (other peers hold them) left untouched.
TEST(ViewerOutbox, QueuedOutputGoesOutAsOneMessage) {
    ViewerOutbox box(1 << 20, 1 << 20);
    auto output = [](std::string text, int kind = 1) {
        return OutboxMessage{.kind = kind,
                             .payload = std::make_shared<const std::string>(std::move(text)),
                             .droppable = true,
                             .mergeable = kind == 1,
                             .overhead = 1};
    };
    auto shared = output("a");
    const auto shared_payload = shared.payload;
    ASSERT_EQ(box.push(output("first")), Push::queued);
    ASSERT_EQ(box.start_write()->payload->size(), 5u);  // alone in the queue: as it came
    for (auto m : {shared, output("b"), output("c")}) ASSERT_EQ(box.push(m), Push::queued);
    ASSERT_EQ(box.push(output("{snapshot}", 2)), Push::queued);
    ASSERT_EQ(box.push(output("d")), Push::queued);
    EXPECT_EQ(box.queued_bytes(), 6u + 3 * 2 + 11 + 2);
    box.write_done();

    const OutboxMessage* merged = box.start_write();
    ASSERT_NE(merged, nullptr);
    EXPECT_EQ(*merged->payload, "abc");
    EXPECT_EQ(*shared_payload, "a");
    EXPECT_EQ(box.queued_bytes(), 4u + 11 + 2);  // one overhead for the three
    box.write_done();
    EXPECT_EQ(*box.start_write()->payload, "{snapshot}");  // not merged across it
    box.write_done();
    EXPECT_EQ(*box.start_write()->payload, "d");
    box.write_done();
    EXPECT_EQ(box.queued_bytes(), 0u);

    // Never more than kMaxMergedBytes in one message.
    const std::string chunk(ViewerOutbox::kMaxMergedBytes / 4, 'x');
    ASSERT_EQ(box.push(output("pinned")), Push::queued);
    ASSERT_NE(box.start_write(), nullptr);
    for (int i = 0; i < 6; ++i) ASSERT_EQ(box.push(output(chunk)), Push::queued);
    box.write_done();
    EXPECT_EQ(box.start_write()->payload->size(), ViewerOutbox::kMaxMergedBytes);
    box.write_done();
    EXPECT_EQ(box.start_write()->payload->size(), 2 * chunk.size());
    box.write_done();
    EXPECT_EQ(box.queued_bytes(), 0u);
}

// What /metrics reports: one drop per episode (not per refused message), one resync when the
// drained peer gets its snapshot, one overflow per refused control message.
TEST(ViewerOutbox, CountsDropsResyncsAndOverflowsForMetrics) {
    OutboxCounters counters;
    ViewerOutbox box(100, 300, &counters);
    ASSERT_EQ(box.push(message(60, true)), Push::queued);
    ASSERT_NE(box.start_write(), nullptr);  // pinned, being written
    ASSERT_EQ(box.push(message(60, true)), Push::dropped);
    ASSERT_EQ(box.push(message(60, true)), Push::dropped);  // same episode: not counted again
    EXPECT_EQ(counters.drops, 1u);
    EXPECT_EQ(counters.resyncs, 0u);
    EXPECT_FALSE(box.take_resync());  // not drained yet
    box.write_done();
    EXPECT_TRUE(box.take_resync());
    EXPECT_EQ(counters.resyncs, 1u);
    ASSERT_EQ(box.push(message(250, false)), Push::queued);
    EXPECT_EQ(box.push(message(100, false)), Push::overflowed);
    EXPECT_EQ(counters.overflows, 1u);
    EXPECT_EQ(counters.drops, 1u);
}

}  // namespace
}  // namespace tandem::broker
