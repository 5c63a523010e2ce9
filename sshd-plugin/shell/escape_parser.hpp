// Splits the user's keystrokes into bytes for the host and in-session prompt events.
// A pure state machine (no I/O): the escape key opens a one-line command prompt; pressing it
// again as the first key sends one literal escape byte to the host and closes the prompt.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tandem {

struct EscapeAction {
    enum class Kind {
        to_host,        // text: bytes for the host (consecutive bytes are coalesced)
        prompt_open,    // the prompt opened (line empty)
        prompt_edit,    // text: the line being typed after an edit
        prompt_submit,  // text: the line entered with Enter (the prompt stays open, line cleared)
        prompt_close,   // the prompt closed
    };
    Kind kind;
    std::string text;

    bool operator==(const EscapeAction&) const = default;
};

class EscapeParser {
  public:
    static constexpr std::size_t max_line = 256;

    // escape_key: the byte that opens the prompt (0x1d = ^]); -1 disables the prompt.
    explicit EscapeParser(int escape_key) : escape_key_(escape_key) {}

    // Appends the actions for `input`, in order, to `out`, and returns how many bytes it used.
    // It stops right after a prompt_submit: the command may close the prompt, and what the
    // user typed after Enter (a paste, fast typing) belongs wherever the prompt's state now
    // sends it. The caller runs the command, then feeds the rest.
    std::size_t feed(std::string_view input, std::vector<EscapeAction>& out);
    // Closes the prompt from the outside (e.g. a command that ends it); no action emitted.
    void close_prompt();

    bool prompt_open() const { return state_ != State::closed; }
    const std::string& line() const { return line_; }
    int escape_key() const { return escape_key_; }

  private:
    enum class State { closed, open, escape_seen, csi, ss3 };

    void feed_prompt_byte(unsigned char byte, bool last_in_chunk, std::vector<EscapeAction>& out);
    void close(std::vector<EscapeAction>& out);

    int escape_key_;
    State state_ = State::closed;
    std::string line_;
};

// "^]" for 0x1d: how the escape key is named to users.
std::string escape_key_name(int escape_key);

}  // namespace tandem
