// A listening TCP socket of the broker's (the web face, the monitoring face): binding, the
// accept loop with its back-off when accept fails (out of descriptors, say), and a cap on the
// connections open at once. Each connection holds a slot until it ends; past the cap a new one
// is closed at once, because descriptors are shared with the session hooks.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "tandem/accept_backoff.hpp"
#include "tandem/rate_limited_log.hpp"

namespace tandem::broker {

class TcpListener {
  public:
    // Released when the connection's last owner lets go of it.
    using Slot = std::shared_ptr<void>;
    using Serve = std::function<void(boost::asio::ip::tcp::socket, Slot)>;

    // who: the log lines' prefix ("web"). max_open is asked at each new connection.
    TcpListener(boost::asio::io_context& io, std::string who, std::function<std::size_t()> max_open,
                Serve serve);
    ~TcpListener() { stop(); }
    TcpListener(const TcpListener&) = delete;
    TcpListener& operator=(const TcpListener&) = delete;

    // Binds and listens; the error when the address cannot be used.
    boost::system::error_code listen(const boost::asio::ip::tcp::endpoint& endpoint);
    void start() { accept(); }
    void stop();
    bool listening() const { return acceptor_.is_open(); }
    // "https://127.0.0.1:8443" for "https": where it really listens (the port when 0 was asked
    // for); empty when it does not.
    std::string bound_url(std::string_view scheme) const;

  private:
    void accept();

    boost::asio::io_context& io_;
    std::string who_;
    std::function<std::size_t()> max_open_;
    Serve serve_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer retry_;
    AcceptBackoff backoff_;
    RateLimitedLog refusals_;  // a flood past the cap logs a line a second
    std::shared_ptr<std::size_t> open_ = std::make_shared<std::size_t>(0);
};

}  // namespace tandem::broker
