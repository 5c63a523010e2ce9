#include "harness/sharing_steps.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstdio>
#include <regex>
#include <thread>

#include "harness/paths.hpp"

namespace tandem::test {
namespace {

// Strict base64url JWS: header.payload.signature.
constexpr const char* kToken = R"([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)";

}  // namespace

std::optional<Invite> find_invite(const std::string& text) {
    static const std::regex line(std::string(R"(ssh -p (\d+) join@([A-Za-z0-9.:\[\]_-]+) ()") +
                                 kToken + ")");
    std::optional<Invite> found;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), line);
         it != std::sregex_iterator(); ++it) {
        Invite invite;
        invite.port = std::stoi((*it)[1]);
        invite.host = (*it)[2];
        invite.token = (*it)[3];
        found = invite;
    }
    if (!found) return found;
    static const std::regex url(std::string(R"((https?://[^\s/]+(/[^\s#]*)?#()") + kToken + "))");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), url);
         it != std::sregex_iterator(); ++it) {
        const std::string u = (*it)[1];
        if (u.size() > found->token.size() &&
            u.compare(u.size() - found->token.size(), found->token.size(), found->token) == 0)
            found->url = u;
    }
    return found;
}

namespace {

// Sends the escape key and waits for the prompt to be drawn anew (an older drawing of it
// further up the transcript does not count).
void open_prompt(PtySession& ssh, const char* label) {
    const std::size_t from = ssh.transcript().size();
    ssh.send(kEscapeKey);
    if (!ssh.saw(label, from, 20s))
        ADD_FAILURE() << "the escape key did not open the prompt (\"" << label
                      << "\"); last output:\n"
                      << ssh.tail();
}

}  // namespace

void escape_command(PtySession& ssh, const std::string& command) {
    open_prompt(ssh, kEscapePromptLabel);
    ssh.send(command + "\r");
}

void invitee_command(PtySession& ssh, const std::string& command) {
    open_prompt(ssh, kJoinPromptLabel);
    ssh.send(command + "\r");
}

void close_escape_prompt(PtySession& ssh) {
    // Over the shell's main screen, closing switches back from the alternate screen. Waiting
    // for it keeps the next keys out of the same read as this Enter (see the report on
    // EscapeParser: bytes after a closing Enter in one read are taken as prompt input).
    const std::size_t from = ssh.transcript().size();
    ssh.send("\r");
    ssh.saw("\x1b[?1049l", from, 3s);
}

void escape_command(TmuxClient& screen, const std::string& command) {
    screen.send_key("C-]");
    screen.expect_row_matching(R"(^(\[tandem\]|tandem \(join\)>))", 20s);
    screen.send_text(command);
    screen.send_key("Enter");
}

void close_escape_prompt(TmuxClient& screen) {
    // Only the creator's prompt stays open after a command.
    if (screen.screen_text().find(kEscapePromptLabel) == std::string::npos) return;
    screen.send_key("Escape");
    screen.wait_until_absent(kEscapePromptLabel, 20s);
}

std::optional<Invite> share(PtySession& creator, const std::string& ttl,
                            std::chrono::milliseconds timeout) {
    const std::size_t from = creator.transcript().size();
    escape_command(creator, ttl.empty() ? "share" : "share " + ttl);
    // Until the ssh line or an error message arrives (no use waiting out the timeout then).
    auto deadline = Clock::now() + timeout;
    std::optional<Invite> invite;
    bool refused = false;
    while (Clock::now() < deadline) {
        const std::string reply = creator.transcript().substr(from);
        invite = find_invite(reply);
        refused = reply.find(" (code: T_") != std::string::npos;
        if (invite || refused) break;
        creator.read_for(100ms);
    }
    if (invite) {
        // The URL comes first in the reply; should it ever come later, give it a moment.
        for (auto until = Clock::now() + 1s; invite->url.empty() && Clock::now() < until;) {
            creator.read_for(50ms);
            invite = find_invite(creator.transcript().substr(from));
        }
    } else {
        ADD_FAILURE() << "share printed no `ssh -p PORT join@HOST TOKEN` line"
                      << (refused ? " but an error" : " within the timeout") << "; output:\n"
                      << printable(creator.transcript().substr(from));
    }
    close_escape_prompt(creator);
    return invite;
}

std::optional<Invite> share(TmuxClient& creator, const std::string& ttl,
                            std::chrono::milliseconds timeout) {
    const std::size_t from = creator.raw_output().size();
    escape_command(creator, ttl.empty() ? "share" : "share " + ttl);
    auto deadline = Clock::now() + timeout;
    std::optional<Invite> invite;
    bool refused = false;
    while (!invite && !refused && Clock::now() < deadline) {
        std::string out = creator.raw_output();
        out = out.size() > from ? out.substr(from) : std::string();
        invite = find_invite(out);
        refused = out.find(" (code: T_") != std::string::npos;
        if (!invite && !refused) std::this_thread::sleep_for(50ms);  // polling the recording
    }
    if (!invite) {
        ADD_FAILURE() << "share printed no `ssh -p PORT join@HOST TOKEN` line within "
                      << timeout.count() << " ms; the screen shows:\n"
                      << creator.screen_text();
        return invite;
    }
    std::this_thread::sleep_for(300ms);  // the reply's remaining lines (the URL) to arrive
    invite = find_invite(creator.raw_output().substr(from));
    close_escape_prompt(creator);
    return invite;
}

bool expect_ended_with(PtySession& ssh, ErrorCode code, std::chrono::milliseconds timeout) {
    auto status = ssh.read_all_until_exit(timeout);
    bool ok = true;
    if (!status) {
        ADD_FAILURE() << "ssh did not end within " << timeout.count() << " ms:\n" << ssh.tail();
        ok = false;
    } else if (*status == 0) {
        ADD_FAILURE() << "ssh ended with status 0 for " << error_info(code).id << ":\n"
                      << ssh.tail();
        ok = false;
    }
    if (ssh.transcript().find(user_message(code)) == std::string::npos) {
        ADD_FAILURE() << "the user was not shown \"" << user_message(code) << "\"; last output:\n"
                      << ssh.tail();
        ok = false;
    }
    return ok;
}

std::string sha256_hex(const std::string& bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
    std::string hex;
    char buf[3];
    for (unsigned i = 0; i < length; ++i) {
        std::snprintf(buf, sizeof buf, "%02x", digest[i]);
        hex += buf;
    }
    return hex;
}

std::optional<std::string> decode_base64_lines(const std::string& transcript, std::size_t begin,
                                               std::size_t end) {
    std::string text;
    text.reserve(end - begin);
    for (std::size_t i = begin; i < end && i < transcript.size(); ++i) {
        char c = transcript[i];
        if (c != '\r' && c != '\n') text.push_back(c);
    }
    if (text.size() % 4 != 0) return std::nullopt;
    std::string decoded(text.size() / 4 * 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                            reinterpret_cast<const unsigned char*>(text.data()),
                            static_cast<int>(text.size()));
    if (n < 0) return std::nullopt;
    // EVP_DecodeBlock counts padding as zero bytes: drop what '=' stood for.
    std::size_t pad = 0;
    if (!text.empty() && text.back() == '=')
        pad = text.size() >= 2 && text[text.size() - 2] == '=' ? 2 : 1;
    decoded.resize(static_cast<std::size_t>(n) - pad);
    return decoded;
}

}  // namespace tandem::test
