#include "host_session.hpp"

#include <cstdlib>
#include <sstream>

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>

#include "raw_terminal.hpp"
#include "relay.hpp"
#include "session_identity.hpp"
#include "share_link.hpp"
#include "tandem/account_name.hpp"
#include "tandem/alt_screen_mirror.hpp"
#include "tandem/asciicast_writer.hpp"
#include "tandem/log.hpp"
#include "target_connection.hpp"
#include "user_output.hpp"

namespace tandem {
namespace {

constexpr int refused_status = 1;
constexpr int failed_status = 255;

// What the logs and the audit may say about the account text the user typed: a well-formed
// LOGIN@HOST as is; anything else only by its length, since it may be a secret sent to the
// wrong login (an invite token typed after `ssh alice@bastion`).
std::string printable(std::string_view text) {
    if (auto name = AccountName::parse(text)) return name->text();
    return "<not an account name, " + std::to_string(text.size()) + " bytes>";
}

int refuse(ShellContext& context, ErrorCode code, std::string_view account,
           const std::string& detail) {
    const auto& info = error_info(code);
    log::info("session refused: user=" + context.user.name + " account=" + printable(account) +
              " code=" + std::string(info.id) + " detail=" + detail);
    try {
        context.store.audit(context.user.name, "session.refused", printable(account),
                            std::string(info.id));
    } catch (const std::exception& e) {
        log::warn(std::string("audit failed: ") + e.what());
    }
    print_error(code);
    return (code == ErrorCode::T_301_unknown_account || code == ErrorCode::T_302_no_grant ||
            code == ErrorCode::T_303_malformed_account)
               ? refused_status
               : failed_status;
}

std::optional<ErrorCode> end_error(RelayEnd end) {
    switch (end) {
        case RelayEnd::host_lost:
            return ErrorCode::T_507_host_lost;
        case RelayEnd::host_unresponsive:
            return ErrorCode::T_514_host_unresponsive;
        case RelayEnd::access_revoked:
            return ErrorCode::T_306_access_revoked;
        case RelayEnd::terminated:
            return ErrorCode::T_320_session_terminated;
        case RelayEnd::recording_lost:
            return ErrorCode::T_602_recording_lost;
        case RelayEnd::host_exit:
        case RelayEnd::client_closed:
            return std::nullopt;
    }
    return std::nullopt;
}

// The store's end reason: the error's id ("T_514"), or how an ordinary session ended.
std::string end_reason(RelayEnd end) {
    if (auto error = end_error(end)) return std::string(error_info(*error).id);
    return end == RelayEnd::client_closed ? "client closed" : "exit";
}

// The code the broker passes on to invitees ("" = an ordinary end).
std::string end_code(RelayEnd end) {
    auto error = end_error(end);
    return error ? std::string(error_info(*error).id) : std::string();
}

// Whether the person may still use the account, re-read from the store: the same user (not
// deleted, not deleted and re-created, not disabled), the same account and host, and the grant.
AccessCheck recheck_access(ShellContext& context, const AccountName& name, Id account_id,
                           const std::string& uuid) {
    try {
        if (context.store.find_termination(uuid)) return AccessCheck::terminated;
        const auto user = context.store.find_user(context.user.name);
        if (!user || user->id != context.user.id || user->disabled) return AccessCheck::revoked;
        const auto account = context.store.find_account(name.login, name.host);
        if (!account || account->id != account_id) return AccessCheck::revoked;
        if (!context.store.find_host(name.host)) return AccessCheck::revoked;
        if (!context.store.has_grant(user->id, account->id)) return AccessCheck::revoked;
        return AccessCheck::granted;
    } catch (const std::exception& e) {
        log::warn(std::string("access re-check failed, retrying: ") + e.what());
        return AccessCheck::unavailable;
    }
}

// What the administrator who ended the session gave as the reason.
std::string termination_reason(ShellContext& context, const std::string& uuid) {
    try {
        if (auto order = context.store.find_termination(uuid)) {
            if (order->reason.empty()) return "(none given)";
            // tandem-admin refuses control characters; the store is not trusted to have.
            std::string shown = order->reason.substr(0, 200);
            for (char& c : shown)
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
            return shown;
        }
    } catch (const std::exception& e) {
        log::warn(std::string("cannot read the termination order: ") + e.what());
    }
    return "(unknown)";
}

// How invitees reach the bastion over SSH: the configured public address, else the address
// and port this connection came in on (SSH_CONNECTION's server half).
std::string join_address(const Config& config) {
    if (!config.ssh_public_address.empty()) return config.ssh_public_address;
    const char* connection = std::getenv("SSH_CONNECTION");
    if (connection == nullptr) return {};
    std::istringstream fields(connection);
    std::string client_ip, client_port, server_ip, server_port;
    if (!(fields >> client_ip >> client_port >> server_ip >> server_port)) return {};
    if (server_ip.find(':') != std::string::npos) server_ip = "[" + server_ip + "]";
    return server_ip + ":" + server_port;
}

}  // namespace

int run_host_session(ShellContext& context, std::string_view account_text, bool share_at_start) {
    const auto name = AccountName::parse(account_text);
    if (!name)
        return refuse(context, ErrorCode::T_303_malformed_account, account_text,
                      "malformed account name");
    const auto account = context.store.find_account(name->login, name->host);
    const auto host = context.store.find_host(name->host);
    if (!account || !host)
        return refuse(context, ErrorCode::T_301_unknown_account, name->text(), "unknown");
    if (!context.store.has_grant(context.user.id, account->id))
        return refuse(context, ErrorCode::T_302_no_grant, name->text(), "no grant");
    if (host->host_key_type.empty() || host->host_key_base64.empty())
        return refuse(context, ErrorCode::T_503_host_key_unpinned, name->text(),
                      "host key not pinned");

    const TerminalSize size = context.interactive ? window_size(STDIN_FILENO) : TerminalSize{};
    const std::string uuid =
        context.session_uuid.empty() ? new_session_uuid() : context.session_uuid;
    const UnixTime started = now_unix();
    const std::string recording_path =
        (std::filesystem::path(context.config.session_recordings_dir) /
         recording_file_name(started, context.user.name, name->text(), uuid))
            .string();

    std::unique_ptr<AsciicastWriter> recording;
    try {
        AsciicastHeader header;
        header.width = size.cols;
        header.height = size.rows;
        header.timestamp = started;
        header.title = context.user.name + " -> " + name->text();
        header.env["TERM"] = context.term;
        recording = std::make_unique<AsciicastWriter>(recording_path, header);
    } catch (const std::exception& e) {
        return refuse(context, ErrorCode::T_601_recording_failed, name->text(), e.what());
    }

    TargetSpec spec;
    spec.address = host->address;
    spec.port = host->port;
    spec.host_key_type = host->host_key_type;
    spec.host_key_base64 = host->host_key_base64;
    spec.login = account->login;
    spec.credential_kind = account->kind;
    spec.credential = account->credential;
    spec.connect_timeout = context.config.target_connect_timeout;
    TerminalRequest terminal{context.interactive, context.term, size.rows, size.cols};

    std::unique_ptr<TargetConnection> target;
    try {
        target = std::make_unique<TargetConnection>(spec, terminal);
    } catch (const TandemError& e) {
        recording.reset();
        std::error_code ignored;
        std::filesystem::remove(recording_path, ignored);  // nothing was recorded
        return refuse(context, e.code(), name->text(), e.detail());
    }

    SessionRecord record;
    record.uuid = uuid;
    record.user_id = context.user.id;
    record.user_name = context.user.name;
    record.account_id = account->id;
    record.account_name = name->text();
    record.started_at = started;
    record.recording_path = recording_path;
    record.client = context.client;
    record.via = context.via;
    record.hook_pid = ::getpid();  // lets the broker end this row should the hook be killed
    record.node = context.config.cluster_node;
    Id session_id = 0;
    try {
        session_id = context.store.begin_session(record);
        context.store.audit(context.user.name, "session.start", name->text(),
                            "uuid=" + uuid + " via=" + context.via + " client=" + context.client);
    } catch (const std::exception& e) {
        log::error(std::string("cannot record the session in the store: ") + e.what());
        print_error(ErrorCode::T_102_store_unavailable);
        return failed_status;
    }
    log::info("session start: user=" + context.user.name + " account=" + name->text() +
              " uuid=" + uuid + " client=" + context.client);

    RelayOutcome outcome;
    {
        AltScreenMirror mirror(size.rows, size.cols);
        RawTerminal user_terminal(STDIN_FILENO, STDOUT_FILENO, context.interactive);
        RelayOptions options;
        options.interactive = context.interactive;
        options.escape_key = context.config.session_escape_key;
        options.keepalive_interval = std::chrono::duration_cast<std::chrono::milliseconds>(
            context.config.target_keepalive_interval);
        options.keepalive_count = context.config.target_keepalive_count;
        options.access_recheck = std::chrono::duration_cast<std::chrono::milliseconds>(
            context.config.session_access_recheck);
        options.notices_on_terminal = !context.web;
        options.check_access = [&context, &name, account_id = account->id, &uuid] {
            return recheck_access(context, *name, account_id, uuid);
        };
        // For `tandem-admin sessions --live`; a store that cannot be written only loses a count.
        options.recording_required = context.config.session_recording_required;
        options.recording_failed = [&context, &name, &uuid, &recording_path] {
            const bool ends = context.config.session_recording_required;
            log::error("session " + uuid + ": the recording " + recording_path +
                       " can no longer be written; " +
                       (ends ? "ending the session (T_602)" : "the session goes on unrecorded"));
            try {
                context.store.audit(context.user.name, "session.recording_failed", name->text(),
                                    "uuid=" + uuid + " path=" + recording_path +
                                        (ends ? " action=ended" : " action=continued"));
            } catch (const std::exception& e) {
                log::error(std::string("cannot audit the recording failure: ") + e.what());
            }
        };
        options.report_bytes = [&context, session_id](std::int64_t in, std::int64_t out) {
            try {
                context.store.set_session_bytes(session_id, in, out);
            } catch (const std::exception& e) {
                log::warn(std::string("cannot record the session's byte counts: ") + e.what());
            }
        };
        {
            // Every interactive session registers with the broker so it can be shared at once;
            // without a broker it runs exactly the same.
            std::unique_ptr<ShareLink> share;
            if (context.interactive) {
                share = std::make_unique<ShareLink>(
                    context.config,
                    ShareIdentity{uuid, context.user.name, name->text(), context.client,
                                  join_address(context.config)},
                    size.rows, size.cols);
            }
            Relay relay(target->session(), target->channel(), mirror, *recording, context.signals,
                        options, share.get());
            if (share_at_start && share) relay.share_at_start();
            outcome = relay.run();
            if (share) share->end(end_reason(outcome.end), end_code(outcome.end));
            if (end_error(outcome.end)) relay.reset_user_terminal();
        }
        target->close();
    }  // the user's terminal leaves raw mode here
    const auto error = end_error(outcome.end);
    std::string told = error ? user_message(*error) : std::string();
    if (outcome.end == RelayEnd::terminated)
        told += " Reason: " + termination_reason(context, uuid);
    if (outcome.end == RelayEnd::access_revoked || outcome.end == RelayEnd::terminated) {
        // The recording ends the way the session did, with what the user was told.
        recording->marker("end: " + end_reason(outcome.end));
        recording->output("\r\n" + told + "\r\n");
    }
    recording.reset();

    const std::string reason = end_reason(outcome.end);
    std::optional<int> exit_status;
    if (outcome.end == RelayEnd::host_exit) exit_status = outcome.exit_status;
    try {
        context.store.end_session(session_id, exit_status, reason);
        context.store.audit(context.user.name, "session.end", name->text(),
                            "uuid=" + uuid + " reason=" + reason +
                                (exit_status ? " status=" + std::to_string(*exit_status) : ""));
    } catch (const std::exception& e) {
        log::error(std::string("cannot close the session in the store: ") + e.what());
    }
    log::info("session end: user=" + context.user.name + " account=" + name->text() +
              " uuid=" + uuid + " reason=" + reason);

    if (error) {
        // On a fresh line: the host's last output may have left the cursor mid-line.
        write_all(STDERR_FILENO, std::string(context.interactive ? "\r\n" : "") + told + "\n");
    }
    return outcome.end == RelayEnd::host_exit ? outcome.exit_status : failed_status;
}

}  // namespace tandem
