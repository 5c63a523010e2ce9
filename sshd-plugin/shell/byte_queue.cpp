#include "byte_queue.hpp"

#include <unistd.h>
#include <cerrno>

namespace tandem {

void ByteQueue::consume(std::size_t count) {
    head_ += count < size() ? count : size();
    if (head_ == buffer_.size()) {
        buffer_.clear();
        head_ = 0;
    } else if (head_ >= 64 * 1024 && head_ * 2 >= buffer_.size()) {
        // Compact once the consumed prefix dominates, so appends do not grow forever.
        buffer_.erase(0, head_);
        head_ = 0;
    }
}

bool ByteQueue::write_to(int fd) {
    while (!empty()) {
        const auto pending = front();
        const ssize_t n = ::write(fd, pending.data(), pending.size());
        if (n > 0) {
            consume(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
        return false;
    }
    return true;
}

}  // namespace tandem
