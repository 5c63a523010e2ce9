#include "web_headers.hpp"

namespace tandem::broker {

SecurityHeaders::SecurityHeaders(const PublicOrigin& origin, bool tls) {
    // 'unsafe-inline' styles only because xterm.js's DOM renderer adds <style> elements; the
    // WebSocket is named explicitly since older browsers do not count ws(s) as 'self'.
    const std::string csp =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self'; connect-src 'self' " +
        origin.websocket + "; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    HeaderList common = {
        {"Content-Security-Policy", csp},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
        {"X-Frame-Options", "DENY"},
        {"Cross-Origin-Opener-Policy", "same-origin"},
    };
    if (tls) common.emplace_back("Strict-Transport-Security", "max-age=31536000");
    page_ = common;
    page_.emplace_back("Cache-Control", "no-store");
    asset_ = common;
    // Short and revalidated: a rebuilt webview reaches browsers within minutes.
    asset_.emplace_back("Cache-Control", "private, max-age=300");
}

}  // namespace tandem::broker
