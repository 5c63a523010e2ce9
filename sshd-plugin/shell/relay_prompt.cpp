// The relay's conversation with the person, apart from the bytes it pumps: keys typed at the
// escape prompt and what they run, the sharing commands, and the broker's events (notices, the
// controlling invitee's keystrokes, who controls). relay.cpp moves the bytes.
#include <algorithm>

#include "relay.hpp"
#include "share_link.hpp"
#include "tandem/asciicast_writer.hpp"

namespace tandem {

void Relay::handle_user_bytes(std::string_view bytes) {
    if (!options_.interactive) {
        to_host_.append(bytes);
        recording_.input(bytes);
        return;
    }
    if (ui_.notice_showing() && !parser_.prompt_open()) {
        // A key closes a notice; a kept notice (the invite) swallows that key.
        std::string out;
        const bool swallowed = ui_.key_closes_notice(out);
        to_user_.append(out);
        if (swallowed) return;
    }
    while (!bytes.empty()) {
        actions_.clear();
        bytes.remove_prefix(parser_.feed(bytes, actions_));
        bool redraw = false;
        for (const auto& action : actions_) handle_prompt_action(action, redraw);
        if (redraw && parser_.prompt_open()) {
            auto lines = prompt_messages_;
            lines.push_back(EscapeCommands::prompt_line(parser_.line()));
            to_user_.append(ui_.show_prompt(lines));
        }
    }
}

void Relay::handle_prompt_action(const EscapeAction& action, bool& redraw) {
    switch (action.kind) {
        case EscapeAction::Kind::to_host:
            if (share_ != nullptr && !share_->creator_controls()) {
                // Rule 6, hook side: while an invitee controls, the creator's keys stay here.
                if (!told_not_controlling_) {
                    told_not_controlling_ = true;
                    show_notice({share_->controller() + " controls the session; " +
                                 escape_key_name(options_.escape_key) + " then take gets it back."},
                                false, Clock::now());
                }
                return;
            }
            if (share_ != nullptr && last_typist_ != "creator") {
                last_typist_ = "creator";
                recording_.marker("input: creator");
            }
            to_host_.append(action.text);
            recording_.input(action.text);
            return;
        case EscapeAction::Kind::prompt_open:
            prompt_messages_.clear();
            redraw = true;
            return;
        case EscapeAction::Kind::prompt_edit:
            if (!action.text.empty()) prompt_messages_.clear();
            redraw = true;
            return;
        case EscapeAction::Kind::prompt_submit: {
            const auto line = parse_prompt_line(action.text);
            if (share_ != nullptr && line.command && is_creator_command(*line.command)) {
                run_share_command(*line.command, line.argument);
                redraw = true;
                return;
            }
            const auto reply = commands_.run(line);
            if (reply.close_prompt) {
                parser_.close_prompt();
                to_user_.append(ui_.close());
                prompt_messages_.clear();
                redraw = false;
                return;
            }
            prompt_messages_ = reply.lines;
            redraw = true;
            return;
        }
        case EscapeAction::Kind::prompt_close:
            to_user_.append(ui_.close());
            prompt_messages_.clear();
            redraw = false;
            return;
    }
}

void Relay::run_share_command(SessionCommand command, const std::string& argument) {
    auto immediate = share_->command(command, argument);
    if (!immediate.empty()) {
        show_notice(immediate, false, Clock::now());
        return;
    }
    if (parser_.prompt_open())
        prompt_messages_ = {std::string(to_string(command)) + ": asking the broker..."};
}

void Relay::handle_share_events(Clock::time_point now) {
    for (auto& event : share_->take_events()) {
        switch (event.kind) {
            case ShareEvent::Kind::lines:
                if (options_.notices_on_terminal || parser_.prompt_open())
                    show_notice(event.lines, event.keep_open, now);
                break;
            case ShareEvent::Kind::input:
                if (share_->creator_controls()) break;  // control moved on meanwhile
                if (last_typist_ != share_->controller()) {
                    last_typist_ = share_->controller();
                    recording_.marker("input: " + last_typist_);
                }
                to_host_.append(event.text);
                recording_.input(event.text);
                send_to_host();
                break;
            case ShareEvent::Kind::control:
                recording_.marker("control: " + event.text);
                told_not_controlling_ = false;
                break;
            case ShareEvent::Kind::terminate:
                // Re-read the store now rather than at the next period: the order is there
                // (tandem-admin writes it before telling the broker), and the store, not the
                // broker's frame, is what ends the session.
                if (options_.check_access && options_.check_access() == AccessCheck::terminated)
                    end(RelayEnd::terminated);
                break;
        }
    }
}

void Relay::show_notice(const std::vector<std::string>& lines, bool keep_open,
                        Clock::time_point now) {
    if (!options_.interactive || lines.empty()) return;
    if (parser_.prompt_open()) {
        // At the prompt, answers and notices show above the line being typed.
        prompt_messages_ = lines;
        auto shown = prompt_messages_;
        shown.push_back(EscapeCommands::prompt_line(parser_.line()));
        to_user_.append(ui_.show_prompt(shown));
        return;
    }
    // Host output waits while a notice shows, so a full-screen program is never drawn over.
    to_user_.append(ui_.show_notice(lines, keep_open, now));
}

}  // namespace tandem
