// The web face's request handling beyond Beast's parser, on the parts that read what a client
// wrote: the Cookie header (login cookie), the X-Forwarded-For chain (client address, trusted
// proxies), and origins (web.public_url parsing, which the Origin check compares against).
// Input: fields separated by '\n'. Checks: normalising an address is idempotent, an origin
// parsed from its own output is the same, a cookie value never exceeds its header.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "client_address.hpp"
#include "web_message.hpp"
#include "web_origin.hpp"

namespace broker = tandem::broker;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= input.size(); ++i) {
        if (i == input.size() || input[i] == '\n') {
            fields.push_back(input.substr(start, i - start));
            start = i + 1;
        }
    }
    const auto field = [&](std::size_t i) { return i < fields.size() ? fields[i] : ""; };

    const auto cookie = broker::cookie_value(field(0), broker::kLoginCookie);
    if (cookie.size() > field(0).size()) std::abort();

    if (auto origin = broker::parse_public_origin(field(1))) {
        auto again = broker::parse_public_origin(origin->origin);
        if (!again || again->origin != origin->origin || again->websocket != origin->websocket ||
            again->tls != origin->tls || again->authority != origin->authority)
            std::abort();
    }

    if (auto address = broker::normalise_address(field(2))) {
        auto again = broker::normalise_address(*address);
        if (!again || *again != *address) std::abort();
    }

    const auto trusted = broker::TrustedProxies::parse(field(3)).value_or(broker::TrustedProxies{});
    std::vector<std::string_view> forwarded;
    for (std::size_t i = 5; i < fields.size(); ++i) forwarded.push_back(fields[i]);
    const auto peer = broker::normalise_address(field(4)).value_or("127.0.0.1");
    const auto client = broker::client_address(peer, forwarded, trusted);
    // Whatever the headers say, the answer is an address (the peer's when nobody is trusted).
    if (!broker::normalise_address(client)) std::abort();
    if (trusted.empty() && client != peer) std::abort();
    return 0;
}
