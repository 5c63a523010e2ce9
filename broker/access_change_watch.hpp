// Acts at once on a change to who may do what made by another process, on this node or another
// (docs/cluster.md): watches the store's change feed (PostgreSQL LISTEN/NOTIFY) on the event
// loop and calls `changed` (the grant re-check) when one arrives. A feed that breaks is opened
// again every few seconds, with one re-check for whatever was missed meanwhile; the periodic
// re-check stays the backstop. On SQLite there is no feed and this does nothing.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "tandem/store_change_feed.hpp"

namespace tandem::broker {

class AccessChangeWatch {
  public:
    static constexpr auto kRetry = std::chrono::seconds(5);

    AccessChangeWatch(boost::asio::io_context& io, std::string store_location,
                      std::function<void()> changed);
    ~AccessChangeWatch() { stop(); }
    AccessChangeWatch(const AccessChangeWatch&) = delete;
    AccessChangeWatch& operator=(const AccessChangeWatch&) = delete;

    void start() { open(); }
    void stop();
    bool watching() const { return feed_ != nullptr; }

  private:
    void open();
    void wait();
    void broken(const std::string& why);

    boost::asio::io_context& io_;
    std::string location_;
    std::function<void()> changed_;
    std::unique_ptr<StoreChangeFeed> feed_;
    std::optional<boost::asio::posix::stream_descriptor> readable_;
    boost::asio::steady_timer retry_;
    bool stopped_ = false;
};

}  // namespace tandem::broker
