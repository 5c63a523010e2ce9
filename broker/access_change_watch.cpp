#include "access_change_watch.hpp"

#include <unistd.h>

#include "tandem/log.hpp"
#include "tandem/store.hpp"

namespace tandem::broker {

AccessChangeWatch::AccessChangeWatch(boost::asio::io_context& io, std::string store_location,
                                     std::function<void()> changed)
    : io_(io), location_(std::move(store_location)), changed_(std::move(changed)), retry_(io) {}

void AccessChangeWatch::open() {
    if (stopped_) return;
    try {
        feed_ = StoreChangeFeed::open(location_);
    } catch (const std::exception& e) {
        return broken(e.what());
    }
    if (!feed_) return;  // SQLite: nothing to watch
    // A descriptor of our own: the feed owns (and closes) libpq's.
    const int fd = ::dup(feed_->descriptor());
    if (fd < 0) return broken("cannot watch the store's change feed");
    readable_.emplace(io_, fd);
    wait();
}

void AccessChangeWatch::wait() {
    readable_->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                          [this](const boost::system::error_code& ec) {
                              if (ec || stopped_ || !feed_) return;
                              int changes = 0;
                              try {
                                  changes = feed_->take();
                              } catch (const std::exception& e) {
                                  return broken(e.what());
                              }
                              if (changes > 0) changed_();
                              wait();
                          });
}

void AccessChangeWatch::broken(const std::string& why) {
    const bool had_feed = feed_ != nullptr;
    if (readable_) {
        boost::system::error_code ignored;
        readable_->close(ignored);
        readable_.reset();
    }
    feed_.reset();
    log::warn("store change feed: " + why + "; the 2 s re-check goes on, retrying in 5 s");
    if (had_feed) changed_();  // whatever arrived while it was breaking
    if (stopped_) return;
    retry_.expires_after(kRetry);
    retry_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        open();
        if (feed_) changed_();  // whatever was missed while there was none
    });
}

void AccessChangeWatch::stop() {
    stopped_ = true;
    retry_.cancel();
    if (readable_) {
        boost::system::error_code ignored;
        readable_->close(ignored);
        readable_.reset();
    }
    feed_.reset();
}

}  // namespace tandem::broker
