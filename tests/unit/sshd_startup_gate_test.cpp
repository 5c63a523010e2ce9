// tandem-sshd: which unauthenticated connections are admitted (ssh.max_startups as OpenSSH's
// MaxStartups start:rate:full, ssh.per_source_max_startups).
#include <gtest/gtest.h>

#include "../../sshd-plugin/sshd/startup_gate.hpp"

namespace tandem::sshd {
namespace {

TEST(SshdStartupGate, PerSourceCapCountsOnlyThatAddress) {
    StartupGate gate({100, 30, 100}, 2);
    gate.add(101, "10.0.0.1", -1);
    EXPECT_FALSE(gate.refusal("10.0.0.1", 99));
    gate.add(102, "10.0.0.1", -1);
    EXPECT_TRUE(gate.refusal("10.0.0.1", 99));
    EXPECT_FALSE(gate.refusal("10.0.0.2", 0));  // another address is unaffected
    gate.remove(101);                           // authenticated or gone: no longer counts
    EXPECT_FALSE(gate.refusal("10.0.0.1", 0));
}

TEST(SshdStartupGate, RandomEarlyDropRisesLinearlyFromStartToFull) {
    StartupGate gate({2, 30, 4}, 100);
    gate.add(1, "a", -1);
    EXPECT_FALSE(gate.refusal("x", 0));  // below start: always admitted
    gate.add(2, "b", -1);
    EXPECT_TRUE(gate.refusal("x", 29));  // at start: rate% (30) dropped
    EXPECT_FALSE(gate.refusal("x", 30));
    gate.add(3, "c", -1);
    EXPECT_TRUE(gate.refusal("x", 64));  // halfway: 30 + 70/2 = 65%
    EXPECT_FALSE(gate.refusal("x", 65));
    gate.add(4, "d", -1);
    EXPECT_TRUE(gate.refusal("x", 99));  // at full: all dropped
}

TEST(SshdStartupGate, SingleNumberRefusesFromThereOn) {
    StartupGate gate({2, 100, 2}, 100);
    gate.add(1, "a", -1);
    EXPECT_FALSE(gate.refusal("x", 0));
    gate.add(2, "b", -1);
    EXPECT_TRUE(gate.refusal("x", 99));
}

}  // namespace
}  // namespace tandem::sshd
