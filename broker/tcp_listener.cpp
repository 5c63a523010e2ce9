#include "tcp_listener.hpp"

#include "tandem/log.hpp"

namespace tandem::broker {

namespace net = boost::asio;
using tcp = net::ip::tcp;

TcpListener::TcpListener(net::io_context& io, std::string who,
                         std::function<std::size_t()> max_open, Serve serve)
    : io_(io),
      who_(std::move(who)),
      max_open_(std::move(max_open)),
      serve_(std::move(serve)),
      acceptor_(io),
      retry_(io),
      backoff_(who_) {}

boost::system::error_code TcpListener::listen(const tcp::endpoint& endpoint) {
    boost::system::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
    }
    return ec;
}

void TcpListener::stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    retry_.cancel();
}

std::string TcpListener::bound_url(std::string_view scheme) const {
    boost::system::error_code ec;
    const auto endpoint = acceptor_.local_endpoint(ec);
    if (ec) return {};
    const auto address = endpoint.address();
    const std::string host =
        address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
    return std::string(scheme) + "://" + host + ":" + std::to_string(endpoint.port());
}

void TcpListener::accept() {
    acceptor_.async_accept(io_, [this](boost::system::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
        if (ec) {
            // Retrying at once would only spin on the same error: wait, log at most a line a
            // second.
            retry_.expires_after(backoff_.failed(ec.message()));
            retry_.async_wait([this](boost::system::error_code wait_ec) {
                if (!wait_ec && acceptor_.is_open()) accept();
            });
            return;
        }
        backoff_.succeeded();
        // Every face streams small messages (keystroke echo, a join's answer then its snapshot):
        // with Nagle's algorithm a write waits for the peer's delayed ACK, 40 ms on Linux.
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        if (*open_ >= max_open_()) {
            refusals_.write(log::Level::warn, who_ + ": too many connections; one refused");
        } else {
            ++*open_;
            Slot slot(nullptr, [count = open_](void*) { --*count; });
            try {
                serve_(std::move(socket), std::move(slot));
            } catch (const std::exception& e) {
                log::error(who_ + ": serving a connection: " + e.what());
            }
        }
        accept();
    });
}

}  // namespace tandem::broker
