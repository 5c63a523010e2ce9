// Public-key authentication against the store. The probe (a key offered without signature) is
// answered with PK_OK only when the key is registered for exactly that user name; the signed
// attempt (libssh verified the signature) is accepted under the same condition. Unknown user
// and unknown key look identical to the client. Attempts are counted; the first refusal sends
// the T_201 banner so the OpenSSH client shows the code and sentence. A disabled user's key is
// answered PK_OK, and only the signed attempt, which proves the key, is refused with T_209.
#pragma once

#include <libssh/libssh.h>

#include <optional>
#include <string>

#include "tandem/store.hpp"

namespace tandem::sshd {

class Authenticator {
  public:
    Authenticator(std::string store_location, int max_tries);

    // libssh server callbacks (SSH_AUTH_* results).
    int on_none(ssh_session session, const char* user);
    int on_pubkey(ssh_session session, const char* user, ssh_key key, char signature_state);
    // Any other method (password, keyboard-interactive, ...): refused, and counted.
    void on_other_method(ssh_session session, const char* user);

    bool authenticated() const { return authenticated_; }
    const std::string& user() const { return user_; }
    // Logged in as `join`: user() is the key's owner, who may only join shared sessions.
    bool joining() const { return joining_; }
    bool exhausted() const { return refusals_ >= max_tries_; }
    // Closes the store once authentication is over (no fd reaches the hook).
    void release_store() { store_.reset(); }

  private:
    // disabled: the key is the user's but the user is disabled (told only after the signature).
    enum class Lookup { match, no_match, disabled, unavailable };
    Lookup key_registered_for(const std::string& user, ssh_key key);
    void refuse(ssh_session session);

    std::string store_location_;
    int max_tries_;
    int refusals_ = 0;
    bool store_failure_told_ = false;
    bool disabled_told_ = false;
    bool authenticated_ = false;
    bool joining_ = false;
    std::string owner_;  // owner of the key last looked up
    std::string user_;
    std::optional<Store> store_;
};

// Sends SSH_MSG_USERAUTH_BANNER (shown by OpenSSH before the next prompt or failure).
void send_banner(ssh_session session, const std::string& text);
// "SHA256:..." for logs; "" when libssh cannot hash the key.
std::string key_fingerprint(ssh_key key);
// A client-supplied name made safe for one log line.
std::string printable(const char* text);

}  // namespace tandem::sshd
