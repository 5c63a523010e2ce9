// Two connections joined byte for byte, both ways: a joiner's connection on one node and the
// link to the node that holds the share. Each direction reads at most one buffer and writes it
// whole before reading again, so a side that does not read stops the other from being read:
// nothing piles up here, and the owning node's outbox (which drops output for a slow viewer and
// sends a fresh snapshot) sees a slow viewer as it would on its own socket. Either side closing
// or failing closes both.
#pragma once

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <string>

namespace tandem::broker {

template <class Left, class Right>
class ByteBridge : public std::enable_shared_from_this<ByteBridge<Left, Right>> {
  public:
    static constexpr std::size_t kBufferBytes = 64 * 1024;

    // `keep` lives as long as the bridge (a listener's connection slot, say).
    ByteBridge(std::shared_ptr<Left> left, std::shared_ptr<Right> right,
               std::shared_ptr<void> keep = {})
        : left_(std::move(left)), right_(std::move(right)), keep_(std::move(keep)) {}

    // Starts both directions; `to_right` is written to the right side first (bytes already read
    // from the left before the bridge existed).
    void start(std::string to_right) {
        auto self = this->shared_from_this();
        first_ = std::move(to_right);
        if (first_.empty()) {
            pump_left_to_right();
        } else {
            boost::asio::async_write(*right_, boost::asio::buffer(first_),
                                     [self](const boost::system::error_code& ec, std::size_t) {
                                         if (ec) return self->close();
                                         self->first_.clear();
                                         self->pump_left_to_right();
                                     });
        }
        pump_right_to_left();
    }

    // Closes both sides; pending operations end with an error.
    void close() {
        if (closed_) return;
        closed_ = true;
        close_stream(*left_);
        close_stream(*right_);
    }

  private:
    template <class Stream>
    static void close_stream(Stream& stream) {
        boost::system::error_code ignored;
        auto& lowest = stream.lowest_layer();
        lowest.shutdown(boost::asio::socket_base::shutdown_both, ignored);
        lowest.close(ignored);
    }

    void pump_left_to_right() {
        left_->async_read_some(
            boost::asio::buffer(to_right_),
            [self = this->shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                if (ec || self->closed_) return self->close();
                boost::asio::async_write(*self->right_, boost::asio::buffer(self->to_right_, n),
                                         [self](const boost::system::error_code& ec, std::size_t) {
                                             if (ec || self->closed_) return self->close();
                                             self->pump_left_to_right();
                                         });
            });
    }
    void pump_right_to_left() {
        right_->async_read_some(
            boost::asio::buffer(to_left_),
            [self = this->shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                if (ec || self->closed_) return self->close();
                boost::asio::async_write(*self->left_, boost::asio::buffer(self->to_left_, n),
                                         [self](const boost::system::error_code& ec, std::size_t) {
                                             if (ec || self->closed_) return self->close();
                                             self->pump_right_to_left();
                                         });
            });
    }

    std::shared_ptr<Left> left_;
    std::shared_ptr<Right> right_;
    std::shared_ptr<void> keep_;
    std::string first_;
    std::array<char, kBufferBytes> to_right_{};
    std::array<char, kBufferBytes> to_left_{};
    bool closed_ = false;
};

}  // namespace tandem::broker
