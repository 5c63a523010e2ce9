#include "hook_listener.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>

#include "hook_handshake.hpp"
#include "tandem/log.hpp"

namespace tandem::broker {

bool peer_is_trusted(int fd) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return false;
    return cred.uid == 0 || cred.uid == geteuid();
}

HookListener::HookListener(BrokerContext& ctx, SessionRegistry& registry, const std::string& path)
    : ctx_(ctx), registry_(registry), path_(path), acceptor_(ctx.io), retry_(ctx.io) {
    using boost::asio::local::stream_protocol;
    if (path_.size() >= sizeof(sockaddr_un::sun_path))
        throw std::runtime_error("broker socket path too long: " + path_);
    // A socket file left by a previous broker would make bind fail; nobody listens on it.
    ::unlink(path_.c_str());
    const mode_t old_mask = ::umask(0117);  // socket file 0660: service user and group only
    boost::system::error_code ec;
    acceptor_.open(stream_protocol(), ec);
    if (!ec) acceptor_.bind(stream_protocol::endpoint(path_), ec);
    ::umask(old_mask);
    if (!ec) acceptor_.listen(64, ec);
    if (ec) throw std::runtime_error("cannot listen on " + path_ + ": " + ec.message());
}

HookListener::~HookListener() {
    stop();
}

void HookListener::stop() {
    boost::system::error_code ignored;
    retry_.cancel();
    if (acceptor_.is_open()) {
        acceptor_.close(ignored);
        ::unlink(path_.c_str());
    }
}

void HookListener::accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec,
                                  boost::asio::local::stream_protocol::socket socket) {
        if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
        if (ec) {
            // Out of descriptors, say: the connection stays queued, so accepting again at once
            // would spin. Wait, and let the backoff keep the log to a line a second.
            retry_.expires_after(backoff_.failed(ec.message()));
            retry_.async_wait([this](const boost::system::error_code& wait_ec) {
                if (!wait_ec && acceptor_.is_open()) accept();
            });
            return;
        }
        backoff_.succeeded();
        if (peer_is_trusted(socket.native_handle())) {
            std::make_shared<HookHandshake>(std::move(socket), ctx_, registry_)->start();
        } else {
            refusals_.write(log::Level::warn, "broker: refused a connection from an untrusted uid");
        }
        accept();
    });
}

}  // namespace tandem::broker
