#include "client_address.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>

#include "tandem/trim.hpp"

namespace tandem::broker {
namespace {

namespace ip = boost::asio::ip;

// Bounds the walk: a header of thousands of commas costs no more than this.
constexpr std::size_t kMaxHops = 64;

std::optional<ip::address> parse_address(std::string_view text) {
    if (text.empty() || text.size() > 64) return std::nullopt;
    boost::system::error_code ec;
    auto address = ip::make_address(std::string(text), ec);
    if (ec) return std::nullopt;
    // A zone ("fe80::1%eth0") names an interface of the proxy, not a client.
    if (address.is_v6() && address.to_v6().scope_id() != 0) return std::nullopt;
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        return ip::make_address_v4(ip::v4_mapped, address.to_v6());
    return address;
}

std::array<unsigned char, 16> bytes_of(const ip::address& address) {
    if (address.is_v4()) return ip::make_address_v6(ip::v4_mapped, address.to_v4()).to_bytes();
    return address.to_v6().to_bytes();
}

}  // namespace

std::optional<std::string> normalise_address(std::string_view text) {
    auto address = parse_address(text);
    if (!address) return std::nullopt;
    return address->to_string();
}

std::optional<TrustedProxies> TrustedProxies::parse(std::string_view list) {
    TrustedProxies result;
    std::size_t start = 0;
    while (start <= list.size()) {
        auto end = list.find_first_of(", \t", start);
        if (end == std::string_view::npos) end = list.size();
        const std::string_view entry = list.substr(start, end - start);
        start = end + 1;
        if (entry.empty()) continue;
        const auto slash = entry.find('/');
        auto address = parse_address(entry.substr(0, slash));
        if (!address) return std::nullopt;
        const int width = address->is_v4() ? 32 : 128;
        int prefix = width;
        if (slash != std::string_view::npos) {
            const std::string_view digits = entry.substr(slash + 1);
            if (digits.empty() || digits.size() > 3) return std::nullopt;
            prefix = 0;
            for (char c : digits) {
                if (c < '0' || c > '9') return std::nullopt;
                prefix = prefix * 10 + (c - '0');
            }
            if (prefix > width) return std::nullopt;
        }
        result.ranges_.push_back(Range{bytes_of(*address), prefix + (128 - width)});
    }
    return result;
}

bool TrustedProxies::contains(std::string_view text) const {
    const auto address = parse_address(text);
    if (!address) return false;
    const auto bytes = bytes_of(*address);
    for (const auto& range : ranges_) {
        bool match = true;
        for (int bit = 0; bit < range.prefix && match; bit += 8) {
            const int bits = std::min(8, range.prefix - bit);
            const auto mask = static_cast<unsigned char>(0xff << (8 - bits));
            const auto i = static_cast<std::size_t>(bit / 8);
            match = (bytes[i] & mask) == (range.bytes[i] & mask);
        }
        if (match) return true;
    }
    return false;
}

std::string client_address(const std::string& peer, const std::vector<std::string_view>& forwarded,
                           const TrustedProxies& trusted) {
    if (!trusted.contains(peer)) return peer;
    // The hops, right-most (nearest) first, across every field line.
    std::vector<std::string_view> hops;
    for (auto line = forwarded.rbegin(); line != forwarded.rend() && hops.size() < kMaxHops;
         ++line) {
        std::string_view rest = *line;
        while (hops.size() < kMaxHops) {
            const auto comma = rest.rfind(',');
            hops.push_back(
                trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1), " \t"));
            if (comma == std::string_view::npos) break;
            rest = rest.substr(0, comma);
        }
    }
    std::string client = peer;
    for (const auto hop : hops) {
        // A trusted hop appends a real address; anything else stops the walk at the last
        // address a trusted hop vouched for.
        auto address = normalise_address(hop);
        if (!address) break;
        client = *address;
        if (!trusted.contains(client)) break;
    }
    return client;
}

}  // namespace tandem::broker
