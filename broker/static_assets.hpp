// The web viewer's built files (web.assets): login.html, join.html, scripts, styles, fonts.
// Only plain names are served — one path component of [A-Za-z0-9._-], not starting with a
// dot, with a known extension — so no request can reach outside the directory or list it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tandem::broker {

class StaticAssets {
  public:
    explicit StaticAssets(std::string dir) : dir_(std::move(dir)) {}

    struct File {
        std::string content_type;
        std::string body;
    };
    // The file `name` (as in /assets/<name>), or nullopt when the name is not acceptable, the
    // file is missing, not a regular file, or larger than a sane bound.
    std::optional<File> load(std::string_view name) const;

    const std::string& dir() const { return dir_; }

  private:
    std::string dir_;
};

// "text/javascript; charset=utf-8" for "app.js"; nullopt for names we never serve.
std::optional<std::string> content_type_for(std::string_view name);

}  // namespace tandem::broker
