#include "tandem/control_arbiter.hpp"

#include <gtest/gtest.h>

namespace tandem {
namespace {

class ControlArbiterTest : public ::testing::Test {
  protected:
    ControlArbiter arbiter{"alice"};
    void SetUp() override {
        ASSERT_EQ(arbiter.join("bob"), ControlOutcome::ok);
        ASSERT_EQ(arbiter.join("carol"), ControlOutcome::ok);
    }
    void give_control_to(const ParticipantId& who) {
        ASSERT_EQ(arbiter.apply(who), ControlOutcome::ok);
        ASSERT_EQ(arbiter.agree("alice"), ControlOutcome::ok);
        ASSERT_EQ(arbiter.controller(), who);
    }
};

TEST_F(ControlArbiterTest, CreatorControlsInitiallyAndAloneMaySendInput) {
    EXPECT_EQ(arbiter.controller(), "alice");
    EXPECT_TRUE(arbiter.may_send_input("alice"));
    EXPECT_FALSE(arbiter.may_send_input("bob"));
    EXPECT_FALSE(arbiter.may_send_input("mallory"));
}

TEST_F(ControlArbiterTest, ApplyThenAgreePassesControl) {
    EXPECT_EQ(arbiter.apply("bob"), ControlOutcome::ok);
    EXPECT_EQ(arbiter.pending_request(), "bob");
    EXPECT_FALSE(arbiter.may_send_input("bob"));  // not before the answer
    EXPECT_EQ(arbiter.agree("alice"), ControlOutcome::ok);
    EXPECT_TRUE(arbiter.may_send_input("bob"));
    EXPECT_FALSE(arbiter.may_send_input("alice"));  // the creator's keys stop reaching the host
    EXPECT_FALSE(arbiter.pending_request());
}

TEST_F(ControlArbiterTest, RefuseKeepsControlAndClearsRequest) {
    ASSERT_EQ(arbiter.apply("bob"), ControlOutcome::ok);
    EXPECT_EQ(arbiter.refuse("alice"), ControlOutcome::ok);
    EXPECT_EQ(arbiter.controller(), "alice");
    EXPECT_FALSE(arbiter.pending_request());
    EXPECT_EQ(arbiter.apply("bob"), ControlOutcome::ok);  // may apply again
}

TEST_F(ControlArbiterTest, ReleaseHandsBackToCreator) {
    give_control_to("bob");
    EXPECT_EQ(arbiter.release("carol"), ControlOutcome::not_allowed);
    EXPECT_EQ(arbiter.release("bob"), ControlOutcome::ok);
    EXPECT_EQ(arbiter.controller(), "alice");
    EXPECT_EQ(arbiter.release("alice"), ControlOutcome::not_allowed);
}

TEST_F(ControlArbiterTest, CreatorTakesBackAtAnyTime) {
    EXPECT_EQ(arbiter.take("alice"), ControlOutcome::already_controller);
    give_control_to("bob");
    ASSERT_EQ(arbiter.apply("carol"), ControlOutcome::ok);
    EXPECT_EQ(arbiter.take("bob"), ControlOutcome::not_allowed);
    EXPECT_EQ(arbiter.take("alice"), ControlOutcome::ok);
    EXPECT_EQ(arbiter.controller(), "alice");
    EXPECT_FALSE(arbiter.pending_request());  // a request addressed to bob is void
}

TEST_F(ControlArbiterTest, OnlyOneRequestPendingAtATime) {
    ASSERT_EQ(arbiter.apply("bob"), ControlOutcome::ok);
    EXPECT_EQ(arbiter.apply("carol"), ControlOutcome::request_pending);
    EXPECT_EQ(arbiter.apply("bob"), ControlOutcome::ok);  // repeating one's own is harmless
    EXPECT_EQ(arbiter.pending_request(), "bob");
}

TEST_F(ControlArbiterTest, WhoMayAnswer) {
    ASSERT_EQ(arbiter.apply("bob"), ControlOutcome::ok);
    EXPECT_EQ(arbiter.agree("carol"), ControlOutcome::not_allowed);
    EXPECT_EQ(arbiter.refuse("carol"), ControlOutcome::not_allowed);
    EXPECT_EQ(arbiter.agree("bob"), ControlOutcome::not_allowed);  // nobody approves themselves
    EXPECT_EQ(arbiter.agree("mallory"), ControlOutcome::not_participant);
    EXPECT_EQ(arbiter.controller(), "alice");
    // An invitee in control may not answer (it would hand the host to someone the creator
    // never approved); the creator can.
    ASSERT_EQ(arbiter.agree("alice"), ControlOutcome::ok);
    ASSERT_EQ(arbiter.apply("carol"), ControlOutcome::ok);
    EXPECT_EQ(arbiter.agree("bob"), ControlOutcome::not_allowed);
    EXPECT_EQ(arbiter.refuse("bob"), ControlOutcome::not_allowed);
    EXPECT_EQ(arbiter.controller(), "bob");
    EXPECT_EQ(arbiter.pending_request(), "carol");
    EXPECT_EQ(arbiter.agree("alice"), ControlOutcome::ok);
    EXPECT_EQ(arbiter.controller(), "carol");
}

TEST_F(ControlArbiterTest, ForbiddenTransitions) {
    EXPECT_EQ(arbiter.agree("alice"), ControlOutcome::no_request);
    EXPECT_EQ(arbiter.refuse("alice"), ControlOutcome::no_request);
    EXPECT_EQ(arbiter.apply("alice"), ControlOutcome::already_controller);
    EXPECT_EQ(arbiter.apply("mallory"), ControlOutcome::not_participant);
    EXPECT_EQ(arbiter.release("mallory"), ControlOutcome::not_participant);
    EXPECT_EQ(arbiter.take("mallory"), ControlOutcome::not_allowed);
    EXPECT_EQ(arbiter.join("bob"), ControlOutcome::not_allowed);    // already in
    EXPECT_EQ(arbiter.join("alice"), ControlOutcome::not_allowed);  // the creator
    EXPECT_EQ(arbiter.leave("alice"), ControlOutcome::not_allowed);
    EXPECT_EQ(arbiter.leave("mallory"), ControlOutcome::not_participant);
    give_control_to("bob");
    EXPECT_EQ(arbiter.apply("bob"), ControlOutcome::already_controller);
}

TEST_F(ControlArbiterTest, ControllerLeavingReturnsControlToCreator) {
    give_control_to("bob");
    ASSERT_EQ(arbiter.apply("carol"), ControlOutcome::ok);
    EXPECT_EQ(arbiter.leave("bob"), ControlOutcome::ok);
    EXPECT_EQ(arbiter.controller(), "alice");
    EXPECT_FALSE(arbiter.pending_request());
    EXPECT_FALSE(arbiter.may_send_input("bob"));
    EXPECT_EQ(arbiter.join("bob"), ControlOutcome::ok);  // rejoin is an ordinary join
    EXPECT_FALSE(arbiter.may_send_input("bob"));         // ...without control
}

TEST_F(ControlArbiterTest, RequesterLeavingDropsTheRequest) {
    ASSERT_EQ(arbiter.apply("carol"), ControlOutcome::ok);
    EXPECT_EQ(arbiter.leave("carol"), ControlOutcome::ok);
    EXPECT_FALSE(arbiter.pending_request());
    EXPECT_EQ(arbiter.agree("alice"), ControlOutcome::no_request);
    EXPECT_EQ(arbiter.controller(), "alice");
}

}  // namespace
}  // namespace tandem
