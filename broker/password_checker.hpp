// Checks web passwords off the event loop. scrypt takes ~100 ms and would stall every session
// on the broker's single io thread, so it runs on one worker thread and the verdict is posted
// back to the io thread. The store stays on the io thread: callers read the hash there and
// pass the string. An unknown user is checked against a dummy hash, so the answer takes as
// long as for a real one and does not tell which users exist.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <functional>
#include <string>

namespace tandem::broker {

class PasswordChecker {
  public:
    // At most max_pending checks queued or running; more are refused by check().
    explicit PasswordChecker(boost::asio::io_context& io, std::size_t max_pending = 16);
    ~PasswordChecker();
    PasswordChecker(const PasswordChecker&) = delete;
    PasswordChecker& operator=(const PasswordChecker&) = delete;

    // Verifies password against encoded_hash ("" = no such user or no web password: always
    // false, after the same work). `done(ok)` runs on the io thread. Returns false, without
    // calling done, when too many checks are pending.
    bool check(std::string password, std::string encoded_hash, std::function<void(bool)> done);
    // Whether check() would refuse now (the io thread only: then the answer holds until the
    // caller's next check()).
    bool busy() const { return pending_ >= max_pending_; }

    // Finishes the running check and drops queued ones (their `done` never runs).
    void stop();

  private:
    boost::asio::io_context& io_;
    std::size_t max_pending_;
    std::size_t pending_ = 0;  // touched on the io thread only
    boost::asio::thread_pool pool_{1};
};

}  // namespace tandem::broker
