#include "connection.hpp"

#include <libssh/callbacks.h>
#include <libssh/server.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <exception>
#include <memory>
#include <string>

#include "authenticator.hpp"
#include "socket_address.hpp"
#include "tandem/errors.hpp"
#include "tandem/log.hpp"

namespace tandem::sshd {
namespace {

using Clock = std::chrono::steady_clock;

bool session_closed(ssh_session session) {
    return (ssh_get_status(session) & (SSH_CLOSED | SSH_CLOSED_ERROR)) != 0;
}

class Connection {
  public:
    Connection(const Config& config, const HookSettings& hook, int fd, int auth_report_fd)
        : config_(config),
          hook_(hook),
          fd_(fd),
          auth_report_fd_(auth_report_fd),
          auth_(config.store_location(), config.ssh_max_auth_tries) {}
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    int run(ServerBind& bind);

  private:
    bool set_up(ServerBind& bind);
    bool exchange_keys();
    void refuse_and_disconnect(const std::string& reason);
    void report_authenticated();

    static int on_auth_none(ssh_session, const char* user, void* self);
    static int on_auth_pubkey(ssh_session, const char* user, ssh_key key, char state, void* self);
    static ssh_channel on_channel_open(ssh_session, void* self);
    static int on_message(ssh_session, ssh_message message, void* self);

    const Config& config_;
    const HookSettings& hook_;
    int fd_;
    int auth_report_fd_;
    Endpoint peer_;
    Endpoint local_;
    Authenticator auth_;
    ssh_session session_ = nullptr;
    ssh_event event_ = nullptr;
    int child_signal_fd_ = -1;
    ssh_server_callbacks_struct server_callbacks_{};
    std::unique_ptr<ChannelSession> channel_;
};

Connection::~Connection() {
    channel_.reset();  // unregisters the relay's fds before the event goes
    if (event_ != nullptr) {
        if (session_ != nullptr) ssh_event_remove_session(event_, session_);
        ssh_event_free(event_);
    }
    if (session_ != nullptr)
        ssh_free(session_);  // also closes the socket
    else if (fd_ >= 0)
        close(fd_);
    if (child_signal_fd_ >= 0) close(child_signal_fd_);
    if (auth_report_fd_ >= 0) close(auth_report_fd_);
}

void Connection::report_authenticated() {
    if (auth_report_fd_ < 0) return;
    const char authenticated = 'A';
    ssize_t n;
    do n = write(auth_report_fd_, &authenticated, 1);
    while (n < 0 && errno == EINTR);
    close(auth_report_fd_);
    auth_report_fd_ = -1;
}

bool Connection::set_up(ServerBind& bind) {
    peer_ = peer_endpoint(fd_);
    local_ = local_endpoint(fd_);
    const int on = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);  // keystrokes are tiny packets

    session_ = ssh_new();
    if (session_ == nullptr) return false;
    long timeout = static_cast<long>(config_.ssh_login_grace_time.count());
    ssh_options_set(session_, SSH_OPTIONS_TIMEOUT, &timeout);
    if (ssh_bind_accept_fd(bind.get(), session_, fd_) != SSH_OK) {
        log::error(std::string("cannot set up the SSH session: ") + ssh_get_error(bind.get()));
        return false;
    }
    bind.release();  // the session holds its own copy of the host key

    server_callbacks_.userdata = this;
    server_callbacks_.auth_none_function = &Connection::on_auth_none;
    server_callbacks_.auth_pubkey_function = &Connection::on_auth_pubkey;
    server_callbacks_.channel_open_request_session_function = &Connection::on_channel_open;
    ssh_callbacks_init(&server_callbacks_);
    ssh_set_server_callbacks(session_, &server_callbacks_);
    ssh_set_message_callback(session_, &Connection::on_message, this);

    ssh_set_blocking(session_, 0);  // from here on no libssh call may wait for the peer
    if (!exchange_keys()) return false;
    ssh_set_auth_methods(session_, SSH_AUTH_METHOD_PUBLICKEY);

    sigset_t child;
    sigemptyset(&child);
    sigaddset(&child, SIGCHLD);
    sigprocmask(SIG_BLOCK, &child, nullptr);
    child_signal_fd_ = signalfd(-1, &child, SFD_NONBLOCK | SFD_CLOEXEC);
    event_ = ssh_event_new();
    if (child_signal_fd_ < 0 || event_ == nullptr ||
        ssh_event_add_session(event_, session_) != SSH_OK) {
        log::error("cannot set up the connection's event loop");
        return false;
    }
    return true;
}

// The key exchange, driven here rather than inside libssh so that whatever arrives is ACKed at
// once. The server sends its KEXINIT with its banner and has nothing to send when the client's
// KEXINIT arrives; the kernel then delays its ACK (40 ms), and the client's key-exchange
// message, held by the client's Nagle until that ACK, came 40 ms late: half of a join's time.
bool Connection::exchange_keys() {
    const auto deadline = Clock::now() + config_.ssh_login_grace_time;
    const int on = 1;
    int rc;
    while ((rc = ssh_handle_key_exchange(session_)) == SSH_AGAIN) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            log::info("key exchange with " + format_endpoint(peer_) + " timed out");
            return false;
        }
        pollfd p{fd_, POLLIN, 0};
        if (ssh_get_poll_flags(session_) & SSH_WRITE_PENDING) p.events |= POLLOUT;
        const int n = poll(&p, 1, static_cast<int>(left.count()));
        if (n < 0 && errno != EINTR) return false;
        if (n > 0 && (p.revents & POLLIN))
            setsockopt(fd_, IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);  // not sticky: each time
    }
    if (rc != SSH_OK) {
        log::info("key exchange with " + format_endpoint(peer_) +
                  " failed: " + ssh_get_error(session_));
        return false;
    }
    return true;
}

int Connection::run(ServerBind& bind) {
    // Hard bound on everything before authentication, even a peer that drips bytes through
    // the key exchange; the graceful path below says T_202 first.
    alarm(static_cast<unsigned>(config_.ssh_login_grace_time.count()) + 5);
    const auto auth_deadline = Clock::now() + config_.ssh_login_grace_time;
    if (!set_up(bind)) return 1;

    bool was_authenticated = false;
    for (;;) {
        int timeout_ms = -1;
        Relay* relay = channel_ ? channel_->relay() : nullptr;
        if (!auth_.authenticated()) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(auth_deadline - Clock::now());
            if (left.count() <= 0) {
                log::info("login grace time exceeded for " + format_endpoint(peer_));
                refuse_and_disconnect("Login grace time exceeded");
                return 1;
            }
            timeout_ms = static_cast<int>(left.count());
        } else if (relay != nullptr) {
            relay->before_poll();
            timeout_ms = relay->poll_timeout_ms();
        }

        const int rc = ssh_event_dopoll(event_, timeout_ms);
        // A signal interrupting poll is not the client leaving.
        const bool gone = session_closed(session_) || (rc == SSH_ERROR && errno != EINTR);

        if (!auth_.authenticated() && auth_.exhausted()) {
            log::info("too many authentication attempts from " + format_endpoint(peer_));
            refuse_and_disconnect("Too many authentication failures");
            return 1;
        }
        if (auth_.authenticated() && !was_authenticated) {
            was_authenticated = true;
            alarm(0);
            auth_.release_store();
            report_authenticated();
        }
        relay = channel_ ? channel_->relay() : nullptr;
        if (relay != nullptr) {
            if (gone)
                relay->abandon();
            else
                relay->after_poll();
            if (relay->finished()) break;
        } else if (channel_ && channel_->closed_before_start()) {
            ssh_channel_close(channel_->channel());
            break;
        }
        if (gone) break;
    }
    if (!session_closed(session_)) ssh_blocking_flush(session_, 2000);
    return 0;
}

void Connection::refuse_and_disconnect(const std::string& reason) {
    if (session_closed(session_)) return;
    send_banner(session_, user_message(ErrorCode::T_202_auth_attempts_exceeded) + "\r\n");
    ssh_session_set_disconnect_message(session_, reason.c_str());
    ssh_blocking_flush(session_, 1000);
    ssh_disconnect(session_);
}

int Connection::on_auth_none(ssh_session session, const char* user, void* self) {
    return static_cast<Connection*>(self)->auth_.on_none(session, user);
}

int Connection::on_auth_pubkey(ssh_session session, const char* user, ssh_key key, char state,
                               void* self) {
    return static_cast<Connection*>(self)->auth_.on_pubkey(session, user, key, state);
}

ssh_channel Connection::on_channel_open(ssh_session session, void* userdata) {
    auto* self = static_cast<Connection*>(userdata);
    // One session channel per connection; libssh already refuses channels before auth.
    if (!self->auth_.authenticated() || self->channel_) return nullptr;
    ssh_channel channel = ssh_channel_new(session);
    if (channel == nullptr) return nullptr;
    PeerAddresses peer{self->peer_.ip, self->peer_.port, self->local_.ip, self->local_.port};
    self->channel_ = std::make_unique<ChannelSession>(
        session, channel, self->event_, self->child_signal_fd_, self->hook_, self->auth_.user(),
        self->auth_.joining(), peer);
    return channel;
}

// Whatever no callback above handled: other auth methods (counted as failed attempts),
// direct-tcpip / forwarded-tcpip / x11 / auth-agent channels, subsystems (sftp), port-forward
// global requests. Returning 1 makes libssh send its default refusal.
int Connection::on_message(ssh_session session, ssh_message message, void* userdata) {
    auto* self = static_cast<Connection*>(userdata);
    if (ssh_message_type(message) == SSH_REQUEST_AUTH && !self->auth_.authenticated())
        self->auth_.on_other_method(session, ssh_message_auth_user(message));
    return 1;
}

}  // namespace

int serve_connection(const Config& config, const HookSettings& hook, ServerBind& bind, int fd,
                     int auth_report_fd) {
    try {
        Connection connection(config, hook, fd, auth_report_fd);
        return connection.run(bind);
    } catch (const std::exception& e) {
        log::error(std::string("connection failed: ") + e.what());
        return 1;
    }
}

}  // namespace tandem::sshd
