// A person in a browser: headless Debian Chromium driven by tests/browser/drive/join_and_control.js
// (Node, playwright-core from the web viewer's build), one command and one answer a line. They
// open an invite URL, log in with their web password, and then click, watch and type as the test
// says. Every step waits for the browser's answer: true, or false with a test failure that says
// what the page and its terminal showed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

#include "harness/process.hpp"

namespace tandem::test {

class BrowserInvitee {
  public:
    // Empty when node, chromium, playwright-core and the built web viewer are all here;
    // otherwise what is missing (for GTEST_SKIP).
    static std::string unavailable_reason();

    // The browser's own messages (Node's stderr) go to log_path.
    explicit BrowserInvitee(std::string log_path);
    ~BrowserInvitee();  // closes the browser
    BrowserInvitee(const BrowserInvitee&) = delete;
    BrowserInvitee& operator=(const BrowserInvitee&) = delete;

    // Starts the browser, opens url, is sent to the login page, logs in as user and waits for
    // the invitation. The password reaches the script on its stdin, never its command line.
    bool open(const std::string& url, const std::string& user, const std::string& password);
    // Clicks the button with this label ("Enter", "Apply for control", "Release control").
    bool click(const std::string& label);
    // Waits until a row of the page's terminal (the xterm buffer) contains text.
    bool terminal_shows(const std::string& text);
    // Waits until the page's text contains text (a status line, a notice, an error code).
    bool page_shows(const std::string& text);
    // Types line into the terminal, then Enter.
    bool type_line(const std::string& line);

  private:
    // Sends one command line and waits for its answer.
    bool ask(const std::string& command);
    bool await_answer(const std::string& what);
    bool send(const std::string& bytes);

    std::string log_path_;
    pid_t pid_ = -1;
    int to_browser_ = -1;    // the script's stdin (a socket: no SIGPIPE if it died)
    int from_browser_ = -1;  // the script's stdout
    std::string pending_;    // read but not yet a whole line
};

}  // namespace tandem::test
