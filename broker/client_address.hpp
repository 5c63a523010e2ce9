// Which address a web request comes from. The TCP peer, unless the peer is one of the proxies
// named in web.trusted_proxies: then the right-most address of X-Forwarded-For (all its field
// lines, in order) that is not itself a trusted proxy, as nginx's real_ip_recursive does. A
// client can write anything at the left of that header; only what trusted hops appended counts.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tandem::broker {

class TrustedProxies {
  public:
    TrustedProxies() = default;  // trusts nobody

    // "127.0.0.1, 10.0.0.0/8 ::1 fd00::/8": addresses and CIDRs separated by commas or
    // spaces. nullopt when an entry is malformed.
    static std::optional<TrustedProxies> parse(std::string_view list);

    // Whether the address (text, IPv4, IPv6 or IPv4-mapped IPv6) is in one of the ranges.
    bool contains(std::string_view address) const;
    bool empty() const { return ranges_.empty(); }

  private:
    struct Range {
        std::array<unsigned char, 16> bytes{};  // IPv4 as IPv4-mapped IPv6
        int prefix = 128;                       // over the 128 bits
    };
    std::vector<Range> ranges_;
};

// The client's address for a request from `peer` carrying these X-Forwarded-For field lines.
// Addresses are returned normalised ("192.0.2.1", "2001:db8::1"; IPv4-mapped shown as IPv4).
std::string client_address(const std::string& peer, const std::vector<std::string_view>& forwarded,
                           const TrustedProxies& trusted);

// The address as text in the form client_address returns, or nullopt when it is none.
std::optional<std::string> normalise_address(std::string_view text);

}  // namespace tandem::broker
