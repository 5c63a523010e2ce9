#include "tandem/asciicast_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "tandem/errors.hpp"

namespace tandem {

namespace {

constexpr std::size_t stdio_buffer_size = 256 * 1024;
constexpr std::size_t no_stop = static_cast<std::size_t>(-1);

// Bytes that go into a JSON string as they are: printable ASCII but '"' and '\'.
constexpr std::array<bool, 256> make_safe_table() {
    std::array<bool, 256> table{};
    for (int b = 0x20; b < 0x7f; ++b) table[b] = b != '"' && b != '\\';
    return table;
}
constexpr std::array<bool, 256> safe_byte = make_safe_table();

void append_escaped_ascii(std::string& out, unsigned char b) {
    switch (b) {
        case '"':
            out += "\\\"";
            return;
        case '\\':
            out += "\\\\";
            return;
        case '\n':
            out += "\\n";
            return;
        case '\r':
            out += "\\r";
            return;
        case '\t':
            out += "\\t";
            return;
        default: {
            static constexpr char hex[] = "0123456789abcdef";
            const char esc[6] = {'\\', 'u', '0', '0', hex[b >> 4], hex[b & 0xf]};
            out.append(esc, sizeof esc);
        }
    }
}

constexpr char replacement_char[] = "\xef\xbf\xbd";  // U+FFFD

// Appends the JSON-escaped form of `in` (no quotes), invalid UTF-8 replaced by U+FFFD per byte.
// Stops once `stop` bytes are consumed (a character may run past it). With keep_tail, an
// incomplete but so far valid sequence at the end is left unconsumed. Returns bytes consumed.
std::size_t escape_utf8(std::string& out, std::string_view in, bool keep_tail,
                        std::size_t stop = no_stop) {
    const auto* const begin = reinterpret_cast<const unsigned char*>(in.data());
    const auto* const end = begin + in.size();
    const auto* const limit = begin + std::min(stop, in.size());
    const unsigned char* p = begin;
    while (p < limit) {
        // Bulk path: append runs of plain ASCII at once.
        const unsigned char* run = p;
        while (p < limit && safe_byte[*p]) ++p;
        if (p != run)
            out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
        if (p == limit) break;
        const unsigned char b = *p;
        if (b < 0x80) {
            append_escaped_ascii(out, b);
            ++p;
            continue;
        }
        std::size_t len = 0;
        if (b >= 0xc2 && b <= 0xdf) {
            len = 2;
        } else if (b >= 0xe0 && b <= 0xef) {
            len = 3;
        } else if (b >= 0xf0 && b <= 0xf4) {
            len = 4;
        }
        bool valid = len != 0;
        for (std::size_t i = 1; valid && i < len; ++i) {
            if (p + i == end) {
                if (keep_tail) return static_cast<std::size_t>(p - begin);
                valid = false;
                break;
            }
            // Second-byte ranges exclude overlongs, surrogates and code points past U+10FFFF.
            unsigned char lo = 0x80;
            unsigned char hi = 0xbf;
            if (i == 1) {
                if (b == 0xe0) lo = 0xa0;
                if (b == 0xed) hi = 0x9f;
                if (b == 0xf0) lo = 0x90;
                if (b == 0xf4) hi = 0x8f;
            }
            valid = p[i] >= lo && p[i] <= hi;
        }
        if (valid) {
            out.append(reinterpret_cast<const char*>(p), len);
            p += len;
        } else {
            out += replacement_char;
            ++p;
        }
    }
    return static_cast<std::size_t>(p - begin);
}

}  // namespace

void append_json_string(std::string& out, std::string_view utf8) {
    out += '"';
    escape_utf8(out, utf8, false);
    out += '"';
}

AsciicastWriter::AsciicastWriter(const std::string& path, const AsciicastHeader& header)
    : path_(path), start_(std::chrono::steady_clock::now()), last_flush_(start_) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        failed_ = true;
        throw TandemError(ErrorCode::T_601_recording_failed, path + ": " + std::strerror(errno));
    }
    file_ = ::fdopen(fd, "w");
    if (file_ == nullptr) {
        const int err = errno;
        ::close(fd);
        failed_ = true;
        throw TandemError(ErrorCode::T_601_recording_failed, path + ": " + std::strerror(err));
    }
    buffer_ = std::make_unique<char[]>(stdio_buffer_size);
    std::setvbuf(file_, buffer_.get(), _IOFBF, stdio_buffer_size);

    std::string line = "{\"version\": 2, \"width\": " + std::to_string(header.width) +
                       ", \"height\": " + std::to_string(header.height) +
                       ", \"timestamp\": " + std::to_string(header.timestamp) + ", \"title\": ";
    append_json_string(line, header.title);
    line += ", \"env\": {";
    bool first = true;
    for (const auto& [name, value] : header.env) {
        if (!first) line += ", ";
        first = false;
        append_json_string(line, name);
        line += ": ";
        append_json_string(line, value);
    }
    line += "}}\n";
    // The header goes to disk at once so even a session that dies early leaves a valid file.
    if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0) {
        const int err = errno;
        std::fclose(file_);
        file_ = nullptr;
        failed_ = true;
        throw TandemError(ErrorCode::T_601_recording_failed, path + ": " + std::strerror(err));
    }
    line_.reserve(64 * 1024);
}

AsciicastWriter::~AsciicastWriter() {
    if (file_ != nullptr) std::fclose(file_);
}

double AsciicastWriter::elapsed() {
    const double t =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    last_time_ = std::max(last_time_, t);
    return last_time_;
}

void AsciicastWriter::begin_event(char type) {
    char head[64];
    const int n = std::snprintf(head, sizeof head, "[%.6f, \"%c\", \"", elapsed(), type);
    line_.assign(head, static_cast<std::size_t>(n));
}

void AsciicastWriter::end_event() {
    line_ += "\"]\n";
    // Every write(2) ends at a line's end, so a hook killed at any moment (SIGKILL) leaves a
    // file of whole events: stdio would otherwise cut a line where its buffer fills.
    if (buffered_ + line_.size() > stdio_buffer_size) flush();
    if (failed_) return;
    if (line_.size() > stdio_buffer_size) {
        // stdio would write a block of it and keep the rest: one write(2) of the whole line.
        std::string_view rest = line_;
        while (!rest.empty()) {
            const ssize_t n = ::write(::fileno(file_), rest.data(), rest.size());
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                failed_ = true;
                return;
            }
            rest.remove_prefix(static_cast<std::size_t>(n));
        }
        return;
    }
    if (std::fwrite(line_.data(), 1, line_.size(), file_) != line_.size()) failed_ = true;
    buffered_ += line_.size();
}

void AsciicastWriter::event(char type, std::string_view data) {
    if (failed_) return;
    begin_event(type);
    escape_utf8(line_, data, false);
    end_event();
}

void AsciicastWriter::text_event(char type, std::string& pending, std::string_view bytes) {
    if (failed_) return;
    begin_event(type);
    const std::size_t data_start = line_.size();
    if (!pending.empty()) {
        // Complete the carried tail with at most 3 new bytes (a character is at most 4).
        std::string joined = pending;
        joined.append(bytes.substr(0, std::min<std::size_t>(bytes.size(), 3)));
        const std::size_t used = escape_utf8(line_, joined, true, pending.size());
        if (used < pending.size()) {
            // Still incomplete: then every new byte is inside `joined`.
            pending = joined.substr(used);
            bytes = {};
        } else {
            bytes.remove_prefix(used - pending.size());
            pending.clear();
        }
    }
    if (!bytes.empty()) {
        const std::size_t used = escape_utf8(line_, bytes, true);
        pending.assign(bytes.substr(used));
    }
    if (line_.size() == data_start) return;  // everything went into the carried tail
    end_event();
}

void AsciicastWriter::output(std::string_view bytes) {
    text_event('o', pending_utf8_out_, bytes);
}

void AsciicastWriter::input(std::string_view bytes) {
    text_event('i', pending_utf8_in_, bytes);
}

void AsciicastWriter::marker(std::string_view label) {
    event('m', label);
}

void AsciicastWriter::resize(int width, int height) {
    event('r', std::to_string(width) + "x" + std::to_string(height));
}

void AsciicastWriter::tick() {
    if (failed_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_flush_ >= std::chrono::seconds(1)) flush();
}

void AsciicastWriter::flush() {
    last_flush_ = std::chrono::steady_clock::now();
    buffered_ = 0;
    if (file_ != nullptr && std::fflush(file_) != 0) failed_ = true;
}

}  // namespace tandem
