// The escape-command parser: the user's keystrokes split into host bytes and prompt events,
// then every submitted line parsed and answered as the creator's prompt does.
// Checks: the parser consumes input (never loops), the prompt line stays bounded, and with the
// prompt disabled every byte goes to the host unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "escape_commands.hpp"
#include "escape_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    // Escape key ^] (the default), or none when the first byte is odd.
    const int key = data[0] % 2 ? -1 : 0x1d;
    std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

    tandem::EscapeParser parser(key);
    tandem::EscapeCommands commands(key);
    std::string to_host;
    while (!input.empty()) {
        std::vector<tandem::EscapeAction> actions;
        const std::size_t used = parser.feed(input, actions);
        if (used == 0 || used > input.size()) std::abort();
        input.remove_prefix(used);
        if (parser.line().size() > tandem::EscapeParser::max_line) std::abort();
        for (const auto& action : actions) {
            if (action.kind == tandem::EscapeAction::Kind::to_host) to_host += action.text;
            if (action.kind != tandem::EscapeAction::Kind::prompt_submit) continue;
            const auto line = tandem::parse_prompt_line(action.text);
            if (!line.command && commands.run(line).close_prompt) parser.close_prompt();
            (void)tandem::EscapeCommands::prompt_line(action.text);
        }
    }
    if (key < 0 && to_host != std::string_view(reinterpret_cast<const char*>(data + 1), size - 1))
        std::abort();
    return 0;
}
