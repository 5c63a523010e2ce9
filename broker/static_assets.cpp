#include "static_assets.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>

namespace tandem::broker {
namespace {

constexpr std::size_t kMaxNameLength = 128;
constexpr off_t kMaxFileBytes = 16 << 20;  // xterm.js is ~0.5 MiB; anything huge is a mistake

bool acceptable_name(std::string_view name) {
    if (name.empty() || name.size() > kMaxNameLength || name.front() == '.') return false;
    for (char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-')
            return false;
    return name.find("..") == std::string_view::npos;
}

class Fd {
  public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

}  // namespace

std::optional<std::string> content_type_for(std::string_view name) {
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos) return std::nullopt;
    const std::string_view ext = name.substr(dot + 1);
    if (ext == "html") return "text/html; charset=utf-8";
    if (ext == "js") return "text/javascript; charset=utf-8";
    if (ext == "css") return "text/css; charset=utf-8";
    if (ext == "map") return "application/json";
    if (ext == "png") return "image/png";
    if (ext == "svg") return "image/svg+xml";
    if (ext == "ico") return "image/x-icon";
    if (ext == "woff2") return "font/woff2";
    return std::nullopt;
}

std::optional<StaticAssets::File> StaticAssets::load(std::string_view name) const {
    if (!acceptable_name(name)) return std::nullopt;
    auto type = content_type_for(name);
    if (!type) return std::nullopt;
    const std::string path = dir_ + "/" + std::string(name);
    // O_NONBLOCK: a FIFO planted in the directory must not hang the event loop.
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (fd.get() < 0) return std::nullopt;
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > kMaxFileBytes)
        return std::nullopt;
    File file{*type, std::string(static_cast<std::size_t>(st.st_size), '\0')};
    std::size_t got = 0;
    while (got < file.body.size()) {
        const ssize_t n = ::read(fd.get(), file.body.data() + got, file.body.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    file.body.resize(got);  // a file that shrank while read is served as it was read
    return file;
}

}  // namespace tandem::broker
