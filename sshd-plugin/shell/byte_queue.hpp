// A FIFO of bytes waiting for a slow writer (the user's terminal or the host's channel window).
// The bound is soft: producers stop reading more input once full() is true, so nothing is
// ever dropped and memory stays bounded by limit plus one read.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tandem {

class ByteQueue {
  public:
    explicit ByteQueue(std::size_t limit) : limit_(limit) {}

    void append(std::string_view bytes) { buffer_.append(bytes); }
    std::string_view front() const { return std::string_view(buffer_).substr(head_); }
    void consume(std::size_t count);
    void clear() {
        buffer_.clear();
        head_ = 0;
    }

    std::size_t size() const { return buffer_.size() - head_; }
    bool empty() const { return size() == 0; }
    bool full() const { return size() >= limit_; }
    std::size_t limit() const { return limit_; }

    // Writes as much as the (nonblocking) fd takes. Returns false on a write error other than
    // EAGAIN/EINTR (the reader is gone).
    bool write_to(int fd);

  private:
    std::string buffer_;
    std::size_t head_ = 0;
    std::size_t limit_;
};

}  // namespace tandem
