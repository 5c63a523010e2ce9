// A fixed-capacity FIFO of bytes for the relay. Storage never moves, so a span handed to
// read()/ssh_channel_write() stays valid even if libssh re-enters our callbacks meanwhile,
// and memory per connection is bounded by the capacity chosen at construction.
// Header-only so the unit tests can use it without linking the tandem-sshd executable.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <span>

namespace tandem::sshd {

class ByteRing {
  public:
    explicit ByteRing(std::size_t capacity)
        : data_(new char[capacity]), capacity_(capacity) {}  // untouched until used

    std::size_t capacity() const { return capacity_; }
    std::size_t size() const { return size_; }
    std::size_t room() const { return capacity_ - size_; }
    bool empty() const { return size_ == 0; }
    bool full() const { return size_ == capacity_; }

    // The longest contiguous run of queued bytes, oldest first.
    std::span<const char> readable() const {
        const std::size_t run = std::min(size_, capacity_ - head_);
        return {data_.get() + head_, run};
    }
    void consume(std::size_t count) {
        count = std::min(count, size_);
        head_ = (head_ + count) % capacity_;
        size_ -= count;
        if (size_ == 0) head_ = 0;  // keeps the next writable run as long as possible
    }

    // The longest contiguous run of free space after the queued bytes.
    std::span<char> writable() {
        const std::size_t tail = (head_ + size_) % capacity_;
        const std::size_t run =
            tail >= head_ && size_ != capacity_ ? std::min(capacity_ - tail, room()) : room();
        return {data_.get() + tail, run};
    }
    void commit(std::size_t count) { size_ += std::min(count, room()); }

    // Copies as much of bytes as fits; returns how many were taken.
    std::size_t push(std::span<const char> bytes) {
        std::size_t taken = 0;
        while (taken < bytes.size() && room() > 0) {
            auto space = writable();
            const std::size_t n = std::min(space.size(), bytes.size() - taken);
            std::copy_n(bytes.data() + taken, n, space.data());
            commit(n);
            taken += n;
        }
        return taken;
    }

  private:
    std::unique_ptr<char[]> data_;
    std::size_t capacity_;
    std::size_t head_ = 0;
    std::size_t size_ = 0;
};

}  // namespace tandem::sshd
