#include "authenticator.hpp"

#include <libssh/server.h>

#include <cstring>
#include <exception>
#include <utility>

#include "tandem/errors.hpp"
#include "tandem/log.hpp"

namespace tandem::sshd {
namespace {

constexpr std::size_t max_user_name_bytes = 256;
// The invitees' login (`ssh join@bastion TOKEN`): any registered key is accepted and names the
// person, who then only gets tandem-shell's join mode.
constexpr const char* join_user = "join";

}  // namespace

Authenticator::Authenticator(std::string store_location, int max_tries)
    : store_location_(std::move(store_location)), max_tries_(max_tries < 1 ? 1 : max_tries) {}

int Authenticator::on_none(ssh_session, const char*) {
    // Not an attempt: the reply lists the methods we take ("publickey").
    return SSH_AUTH_DENIED;
}

void Authenticator::on_other_method(ssh_session session, const char* user) {
    log::info("refused non-publickey authentication for user '" + printable(user) + "'");
    refuse(session);
}

int Authenticator::on_pubkey(ssh_session session, const char* user, ssh_key key,
                             char signature_state) {
    if (authenticated_ || exhausted() || user == nullptr || key == nullptr) return SSH_AUTH_DENIED;
    const bool probe = signature_state == SSH_PUBLICKEY_STATE_NONE;
    if (!probe && signature_state != SSH_PUBLICKEY_STATE_VALID) {
        log::info("refused key with a bad signature for user '" + printable(user) + "'");
        refuse(session);
        return SSH_AUTH_DENIED;
    }
    const std::string name(user, strnlen(user, max_user_name_bytes + 1));
    const Lookup found = key_registered_for(name, key);
    if (found == Lookup::match) {
        if (probe) return SSH_AUTH_SUCCESS;  // libssh answers the probe with PK_OK
        authenticated_ = true;
        joining_ = name == join_user;
        user_ = joining_ ? owner_ : name;
        log::info("user '" + name + "' authenticated with " + key_fingerprint(key));
        return SSH_AUTH_SUCCESS;
    }
    if (found == Lookup::disabled) {
        if (probe) return SSH_AUTH_SUCCESS;  // the signature comes first, then the refusal
        log::warn("refused user '" + name + "' (" +
                  std::string(error_info(ErrorCode::T_209_user_disabled).id) + ", disabled) with " +
                  key_fingerprint(key));
        if (++refusals_ == 1 || !disabled_told_)
            send_banner(session, user_message(ErrorCode::T_209_user_disabled) + "\r\n");
        disabled_told_ = true;
        return SSH_AUTH_DENIED;
    }
    if (found == Lookup::unavailable && !store_failure_told_) {
        store_failure_told_ = true;
        send_banner(session, user_message(ErrorCode::T_102_store_unavailable) + "\r\n");
    }
    log::info(std::string("refused ") + (probe ? "offered" : "signed") + " key " +
              key_fingerprint(key) + " for user '" + printable(user) + "'");
    refuse(session);
    return SSH_AUTH_DENIED;
}

Authenticator::Lookup Authenticator::key_registered_for(const std::string& user, ssh_key key) {
    const char* type = ssh_key_type_to_char(ssh_key_type(key));
    char* blob = nullptr;
    if (type == nullptr || ssh_pki_export_pubkey_base64(key, &blob) != SSH_OK || blob == nullptr)
        return Lookup::no_match;
    const std::string blob_base64(blob);
    ssh_string_free_char(blob);
    try {
        if (!store_) store_.emplace(Store::open_existing(store_location_));
        const auto owner = store_->find_user_by_key(type, blob_base64);
        // The lookup runs for every name, so an unknown name costs the same as a known one.
        const bool valid_name = user.size() <= max_user_name_bytes;
        if (!owner || !valid_name) return Lookup::no_match;
        owner_ = owner->name;
        if (owner->name != user && user != join_user) return Lookup::no_match;
        return owner->disabled ? Lookup::disabled : Lookup::match;
    } catch (const std::exception& e) {
        log::error(std::string("store unavailable during authentication: ") + e.what());
        store_.reset();
        return Lookup::unavailable;
    }
}

void Authenticator::refuse(ssh_session session) {
    ++refusals_;
    if (refusals_ == 1)
        send_banner(session, user_message(ErrorCode::T_201_key_not_registered) + "\r\n");
}

void send_banner(ssh_session session, const std::string& text) {
    ssh_string banner = ssh_string_from_char(text.c_str());
    if (banner == nullptr) return;
    ssh_send_issue_banner(session, banner);
    ssh_string_free(banner);
}

std::string key_fingerprint(ssh_key key) {
    unsigned char* hash = nullptr;
    size_t length = 0;
    if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &length) != SSH_OK) return "";
    char* text = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, length);
    ssh_clean_pubkey_hash(&hash);
    if (text == nullptr) return "";
    std::string out(text);
    ssh_string_free_char(text);
    return out;
}

std::string printable(const char* text) {
    std::string out;
    if (text == nullptr) return out;
    for (std::size_t i = 0; text[i] != '\0' && i < 64; ++i) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        out.push_back(c >= 0x20 && c < 0x7f && c != '\'' ? static_cast<char>(c) : '?');
    }
    return out;
}

}  // namespace tandem::sshd
