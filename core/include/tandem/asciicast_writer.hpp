// Session recording in asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/), playable
// with `asciinema play`. Output is written as it comes; the file is flushed at least once a
// second (call tick() from the event loop) so a crash loses at most the last second.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace tandem {

struct AsciicastHeader {
    int width = 80;
    int height = 24;
    std::int64_t timestamp = 0;              // unix seconds of the start
    std::string title;                       // "alice -> root@web01"
    std::map<std::string, std::string> env;  // TERM, SHELL
};

class AsciicastWriter {
  public:
    // Creates the file 0600, writes the header line. Throws TandemError(T_601) on failure.
    AsciicastWriter(const std::string& path, const AsciicastHeader& header);
    ~AsciicastWriter();
    AsciicastWriter(const AsciicastWriter&) = delete;
    AsciicastWriter& operator=(const AsciicastWriter&) = delete;

    // Terminal output. Bytes may split UTF-8 sequences across calls; invalid UTF-8 becomes U+FFFD.
    void output(std::string_view bytes);
    // Input the host received; the relay writes a marker() naming the typist when it changes.
    void input(std::string_view bytes);
    void marker(std::string_view label);
    void resize(int width, int height);
    // Flushes if a second has passed since the last flush. Cheap; call often.
    void tick();
    void flush();
    bool failed() const { return failed_; }
    const std::string& path() const { return path_; }

  private:
    void event(char type, std::string_view data);
    // An "o" or "i" event whose UTF-8 may be split across calls (pending holds the tail).
    void text_event(char type, std::string& pending, std::string_view bytes);
    void begin_event(char type);
    void end_event();
    double elapsed();

    std::string path_;
    std::FILE* file_ = nullptr;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_flush_;
    std::string pending_utf8_out_;  // incomplete UTF-8 tail carried to the next output()
    std::string pending_utf8_in_;
    bool failed_ = false;
    double last_time_ = 0;            // events never go back in time
    std::unique_ptr<char[]> buffer_;  // stdio buffer: large, so writes are rare
    std::size_t buffered_ = 0;        // bytes in it since the last flush
    std::string line_;                // the event being built, reused to avoid allocations
};

// JSON string escaping of UTF-8 text (exposed for tests). Appends to out, quotes included.
void append_json_string(std::string& out, std::string_view utf8);

}  // namespace tandem
