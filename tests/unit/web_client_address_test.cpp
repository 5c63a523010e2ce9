// Which address a web request is from (client_address.hpp): web.trusted_proxies' parser, and
// the right-most untrusted X-Forwarded-For address across field lines, believed only from a
// trusted peer. The addresses are documentation ones (RFC 5737, RFC 3849).
#include <gtest/gtest.h>

#include "client_address.hpp"

namespace tandem::broker {
namespace {

TEST(TrustedProxies, ParsesAddressesAndRangesOfBothFamilies) {
    auto t = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8 ::1,fd00::/8  192.0.2.128/25");
    ASSERT_TRUE(t);
    struct Case {
        const char* address;
        bool trusted;
    };
    for (const auto& c : std::vector<Case>{
             {"127.0.0.1", true},
             {"127.0.0.2", false},
             {"::ffff:127.0.0.1", true},  // IPv4-mapped is the same address
             {"10.1.2.3", true},
             {"11.0.0.1", false},
             {"::1", true},
             {"::2", false},
             {"fd12:3456::1", true},
             {"fe80::1", false},
             {"192.0.2.129", true},
             {"192.0.2.127", false},
             {"not an address", false},
             {"", false},
         })
        EXPECT_EQ(t->contains(c.address), c.trusted) << c.address;
}

TEST(TrustedProxies, EmptyTrustsNobodyAndBadEntriesAreRefused) {
    auto none = TrustedProxies::parse("");
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
    EXPECT_FALSE(none->contains("127.0.0.1"));
    EXPECT_TRUE(TrustedProxies::parse("0.0.0.0/0")->contains("203.0.113.9"));
    EXPECT_FALSE(TrustedProxies::parse("0.0.0.0/0")->contains("2001:db8::1"));
    for (const char* bad : {"localhost", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x",
                            "1.2.3", "10.0.0.1/8/8", "fe80::1%eth0", "/8"})
        EXPECT_FALSE(TrustedProxies::parse(bad)) << bad;
}

TEST(ClientAddress, BelievesForwardedOnlyFromTrustedPeersUpToTheFirstUntrustedHop) {
    const auto trusted = *TrustedProxies::parse("127.0.0.1/32, 10.0.0.0/8, 2001:db8:ffff::/48");
    struct Case {
        const char* what;
        const char* peer;
        std::vector<std::string_view> forwarded;
        const char* client;
    };
    const std::vector<Case> cases = {
        {"no header", "127.0.0.1", {}, "127.0.0.1"},
        {"untrusted peer's header is ignored", "192.0.2.7", {"198.51.100.1"}, "192.0.2.7"},
        {"one hop", "127.0.0.1", {"198.51.100.1"}, "198.51.100.1"},
        {"a client's forged left part is skipped",
         "127.0.0.1",
         {"203.0.113.66, 198.51.100.1"},
         "198.51.100.1"},
        {"trusted hops are walked past",
         "127.0.0.1",
         {"198.51.100.1, 10.1.1.1, 10.2.2.2"},
         "198.51.100.1"},
        {"across field lines, right-most line nearest",
         "127.0.0.1",
         {"203.0.113.66, 198.51.100.1", "10.1.1.1"},
         "198.51.100.1"},
        {"a forged line before the proxy's",
         "127.0.0.1",
         {"203.0.113.66", "198.51.100.2"},
         "198.51.100.2"},
        {"all hops trusted: the left-most", "127.0.0.1", {"10.9.9.9, 10.1.1.1"}, "10.9.9.9"},
        {"garbage where a trusted hop wrote: the last vouched address",
         "127.0.0.1",
         {"198.51.100.1, junk, 10.1.1.1"},
         "10.1.1.1"},
        {"garbage right-most: the peer", "127.0.0.1", {"198.51.100.1, unknown"}, "127.0.0.1"},
        {"spaces and tabs", "127.0.0.1", {" \t198.51.100.3 \t"}, "198.51.100.3"},
        {"IPv6 client", "127.0.0.1", {"2001:db8::5"}, "2001:db8::5"},
        {"IPv6 trusted hop", "127.0.0.1", {"2001:db8::5, 2001:db8:ffff::1"}, "2001:db8::5"},
        {"IPv4-mapped client shown as IPv4", "127.0.0.1", {"::ffff:198.51.100.4"}, "198.51.100.4"},
        {"address with a port is no address", "127.0.0.1", {"198.51.100.1:4444"}, "127.0.0.1"},
        {"empty line", "127.0.0.1", {""}, "127.0.0.1"},
    };
    for (const auto& c : cases)
        EXPECT_EQ(client_address(c.peer, c.forwarded, trusted), c.client) << c.what;

    const std::vector<std::string_view> forged = {"198.51.100.1"};
    EXPECT_EQ(client_address("127.0.0.1", forged, TrustedProxies()), "127.0.0.1")
        << "nobody is trusted by default, loopback included";
}

TEST(ClientAddress, AHugeHeaderCostsABoundedWalk) {
    const auto trusted = *TrustedProxies::parse("10.0.0.0/8");
    std::string many;
    for (int i = 0; i < 10000; ++i) many += "10.0.0.1,";
    many += "10.0.0.2";
    // Every hop is trusted: the walk stops after its bound at a trusted address.
    const std::vector<std::string_view> forwarded = {many};
    EXPECT_TRUE(trusted.contains(client_address("10.0.0.9", forwarded, trusted)));
}

}  // namespace
}  // namespace tandem::broker
