// A cheap scanner of host output that tracks the terminal modes a viewer's terminal must be in
// to behave like the host expects: alternate screen, cursor keys, keypad, bracketed paste,
// mouse reporting, cursor visibility. libvterm keeps several of these internal, and running
// libvterm on every byte is too slow for the relay (measured 7-60 MB/s), so this is separate.
// Cost: a memchr for ESC per chunk plus a small state machine over escape sequences.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tandem {

class TerminalModes {
  public:
    // Feeds host output. Escape sequences may be split across calls.
    void feed(std::string_view bytes);

    bool alt_screen() const { return alt_screen_; }
    bool app_cursor_keys() const { return app_cursor_keys_; }  // DECCKM ?1
    bool app_keypad() const { return app_keypad_; }            // DECKPAM ESC = / DECKPNM ESC >
    bool bracketed_paste() const { return bracketed_paste_; }  // ?2004
    bool cursor_visible() const { return cursor_visible_; }    // ?25
    int mouse_tracking() const { return mouse_tracking_; }     // 0, 9, 1000, 1002, 1003
    int mouse_encoding() const { return mouse_encoding_; }     // 0, 1005, 1006, 1015
    bool focus_events() const { return focus_events_; }        // ?1004
    bool autowrap() const { return autowrap_; }                // DECAWM ?7
    bool insert_mode() const { return insert_mode_; }          // IRM CSI 4 h
    int cursor_style() const { return cursor_style_; }         // DECSCUSR CSI Ps SP q, 0 = default
    // DECSTBM scrolling region as given by the host (1-based, inclusive); 0,0 = whole screen.
    int scroll_top() const { return scroll_top_; }
    int scroll_bottom() const { return scroll_bottom_; }

    // A terminal forgets its scrolling region when resized; call on every resize.
    void screen_resized() { scroll_top_ = scroll_bottom_ = 0; }

    // Escape sequences that put a terminal in a default state into these modes (not the alt
    // screen switch itself: callers decide how to reach the right screen). The scrolling region
    // is set first because DECSTBM homes the cursor: place the cursor after this.
    std::string restore_sequence() const;

    // Called when a ?1049/?1047/?47 switch happens; offset is just past the sequence within the
    // chunk given to feed(). Lets a mirror start tracking exactly at alt-screen entry.
    struct Listener {
        virtual ~Listener() = default;
        virtual void alt_screen_changed(bool active, std::size_t offset_after) = 0;
    };
    void set_listener(Listener* listener) { listener_ = listener; }

  private:
    void apply_private_mode(int mode, bool set, std::size_t offset_after);
    void start_csi();
    void finish_sequence(std::size_t offset_after);
    void finish_private_modes(bool set, std::size_t offset_after);
    void set_alt_screen(bool active, std::size_t offset_after);
    void full_reset(std::size_t offset_after);

    // Longest CSI parameter string kept; longer sequences are consumed and ignored. The same
    // bound as the screen model's (ScreenState drops a CSI past 256 bytes with its ESC [):
    // with a shorter one here, CSI ? <100 digits> ; 1049 h switched the screen but not the
    // tracked modes, and a late joiner's modes differed (terminal_snapshot).
    static constexpr std::size_t max_params = 254;

    enum class State { ground, escape, escape_intermediate, csi, other_string, string_escape };
    State state_ = State::ground;
    bool csi_private_ = false;
    bool params_overflow_ = false;
    std::string params_;  // bounded; overlong sequences are dropped
    Listener* listener_ = nullptr;

    bool alt_screen_ = false;
    bool app_cursor_keys_ = false;
    bool app_keypad_ = false;
    bool bracketed_paste_ = false;
    bool cursor_visible_ = true;
    int mouse_tracking_ = 0;
    int mouse_encoding_ = 0;
    bool focus_events_ = false;
    bool autowrap_ = true;
    bool insert_mode_ = false;
    int cursor_style_ = 0;
    int scroll_top_ = 0;
    int scroll_bottom_ = 0;
};

}  // namespace tandem
