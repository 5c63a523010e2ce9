// The config file (INI, boost::program_options) and the value parsers behind it. A config is
// an operator's file, yet a mistyped one must be answered with T_101, never a crash or another
// exception. Differential: a config that loads, rendered back (tandem-admin init's renderer),
// loads again to the same rendering.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include "tandem/config.hpp"
#include "tandem/errors.hpp"

namespace {

const std::string& scratch_path() {
    static const std::string path = "/tmp/tandem-fuzz-config." + std::to_string(::getpid());
    return path;
}

void write(const std::string& text) {
    std::ofstream out(scratch_path(), std::ios::binary | std::ios::trunc);
    out << text;
}

// nullopt-style: "" when the file is refused with T_101 (the only allowed failure).
std::string load_rendered(const std::string& text) {
    write(text);
    try {
        return tandem::render_config(tandem::load_config_file(scratch_path()));
    } catch (const tandem::TandemError& e) {
        if (e.code() != tandem::ErrorCode::T_101_bad_config) std::abort();
        return {};
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    // The value parsers also see command-line overrides and single lines.
    (void)tandem::parse_duration(text);
    (void)tandem::parse_escape_key(text);
    (void)tandem::parse_host_port(text);

    const auto rendered = load_rendered(text);
    if (rendered.empty()) return 0;
    if (load_rendered(rendered) != rendered) std::abort();
    return 0;
}
