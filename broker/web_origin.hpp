// The origin of web.public_url (scheme://host[:port]), as browsers write it in the Origin
// header. Every POST and WebSocket upgrade must carry exactly this origin (docs/web.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tandem::broker {

struct PublicOrigin {
    bool tls = true;        // https://
    std::string authority;  // "bastion.example.com:8443", default port left out
    std::string origin;     // "https://bastion.example.com:8443"
    std::string websocket;  // "wss://bastion.example.com:8443"
};

// nullopt unless url is http(s)://host[:port][/path] with a sane host and port. The result is
// normalised like a browser's Origin: lower-case scheme and host, default port omitted.
std::optional<PublicOrigin> parse_public_origin(std::string_view url);

}  // namespace tandem::broker
