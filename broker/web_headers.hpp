// The security headers every web response carries (docs/web.md): a strict CSP with no inline
// script, nosniff, no referrer (invite tokens must not leak), no framing, no caching of pages.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "web_origin.hpp"

namespace tandem::broker {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class SecurityHeaders {
  public:
    // tls: whether this server itself speaks TLS (HSTS is sent only then).
    SecurityHeaders(const PublicOrigin& origin, bool tls);

    // Pages, API answers and errors: never stored. Static assets may be cached.
    const HeaderList& for_page() const { return page_; }
    const HeaderList& for_asset() const { return asset_; }

  private:
    HeaderList page_;
    HeaderList asset_;
};

}  // namespace tandem::broker
