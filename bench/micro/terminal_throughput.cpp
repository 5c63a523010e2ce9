// Throughput of the units every byte of host output passes through (TerminalModes, the
// asciicast writer) and, for comparison, libvterm via ScreenState. Usage:
//   tandem-bench-terminal [MEGABYTES=100] [SCRATCH_DIR=/tmp]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>

#include "tandem/asciicast_writer.hpp"
#include "tandem/screen_state.hpp"
#include "tandem/terminal_modes.hpp"

namespace {

constexpr std::size_t chunk_size = 16 * 1024;  // what a PTY read typically returns

std::string base64_text(std::size_t size) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::mt19937_64 rng(1);
    std::string out;
    out.reserve(size);
    while (out.size() < size) {
        for (int i = 0; i < 76 && out.size() < size; ++i) out += alphabet[rng() % 64];
        out += '\n';
    }
    out.resize(size);
    return out;
}

// A top/htop-like stream: cursor moves, colours and short runs of text.
std::string escape_mix(std::size_t size) {
    std::mt19937_64 rng(2);
    std::string out;
    out.reserve(size + 256);
    while (out.size() < size) {
        out +=
            "\x1b[" + std::to_string(rng() % 24 + 1) + ";" + std::to_string(rng() % 80 + 1) + "H";
        out +=
            "\x1b[1;3" + std::to_string(rng() % 8) + ";48;5;" + std::to_string(rng() % 256) + "m";
        out += "cpu " + std::to_string(rng() % 100) + "% ";
        if (rng() % 8 == 0) out += "\x1b[?25l\x1b[K\x1b]0;top\x07\x1b[?2004h";
        out += "\x1b[0m";
    }
    out.resize(size);
    return out;
}

template <typename Fn>
double megabytes_per_second(const std::string& data, Fn&& fn) {
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t pos = 0; pos < data.size(); pos += chunk_size) {
        fn(std::string_view(data).substr(pos, chunk_size));
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return static_cast<double>(data.size()) / 1e6 / seconds;
}

void run(const char* name, const std::string& data, const std::string& scratch) {
    tandem::TerminalModes modes;
    const double modes_rate =
        megabytes_per_second(data, [&](std::string_view c) { modes.feed(c); });

    const std::string cast = scratch + "/tandem-bench-" + std::to_string(::getpid()) + ".cast";
    double cast_rate = 0;
    {
        tandem::AsciicastWriter writer(cast, tandem::AsciicastHeader{});
        cast_rate = megabytes_per_second(data, [&](std::string_view c) { writer.output(c); });
        writer.flush();
    }
    ::unlink(cast.c_str());

    // libvterm is far slower: measure it on a tenth.
    tandem::ScreenState screen(24, 80);
    const std::string tenth = data.substr(0, data.size() / 10);
    const double vterm_rate =
        megabytes_per_second(tenth, [&](std::string_view c) { screen.feed(c); });

    std::printf(
        "%-12s %8.1f MB  TerminalModes %8.1f MB/s  AsciicastWriter %7.1f MB/s  "
        "ScreenState %6.1f MB/s\n",
        name, static_cast<double>(data.size()) / 1e6, modes_rate, cast_rate, vterm_rate);
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const std::size_t megabytes = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100;
        const std::string scratch = argc > 2 ? argv[2] : "/tmp";
        const std::size_t size = megabytes * 1000 * 1000;
        run("base64", base64_text(size), scratch);
        run("escape-mix", escape_mix(size), scratch);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tandem-bench-terminal: %s\n", e.what());
        return 1;
    }
}
