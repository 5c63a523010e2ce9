#include "tandem/broker_link.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "tandem/log.hpp"

namespace tandem {

BrokerLink::~BrokerLink() {
    close();
}

bool BrokerLink::connect() {
    if (fd_ >= 0) return true;
    last_attempt_ = std::chrono::steady_clock::now();
    sockaddr_un addr{};
    if (path_.empty() || path_.size() >= sizeof addr.sun_path) return false;
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path_.data(), path_.size());
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return false;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        !peer_is_the_broker(fd)) {
        ::close(fd);
        return false;
    }
    fd_ = fd;
    decoder_ = FrameDecoder(kMaxPayload);
    return true;
}

// The socket path may have been taken by someone else while the broker was down (a stale
// directory, a misconfigured one): the hello carries the session's identity or an invite token,
// and the broker's frames reach the host as keystrokes, so only the broker may get the link.
bool BrokerLink::peer_is_the_broker(int fd) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
        refusal_log_.write(log::Level::warn, "broker socket " + path_ +
                                                 ": cannot tell who listens on it (" +
                                                 std::strerror(errno) + "); not connecting");
        return false;
    }
    if (cred.uid == 0 || cred.uid == ::geteuid() ||
        (broker_uid_ >= 0 && cred.uid == static_cast<uid_t>(broker_uid_)))
        return true;
    refusal_log_.write(log::Level::warn,
                       "broker socket " + path_ + " is served by uid " + std::to_string(cred.uid) +
                           " (pid " + std::to_string(cred.pid) +
                           "), not by the broker (root, our uid or broker.uid); not connecting");
    return false;
}

void BrokerLink::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    queue_.clear();
    queued_bytes_ = 0;
    front_offset_ = 0;
    gap_pending_ = false;
}

bool BrokerLink::reconnect_due(std::chrono::steady_clock::time_point now,
                               std::chrono::milliseconds interval) {
    return fd_ < 0 && now - last_attempt_ >= interval;
}

void BrokerLink::push(FrameType type, std::string_view payload) {
    std::string frame;
    encode_frame(frame, type, payload, kMaxPayload);
    queued_bytes_ += frame.size();
    queue_.push_back(std::move(frame));
}

void BrokerLink::send(FrameType type, std::string_view payload) {
    if (fd_ < 0) return;
    if (queued_bytes_ + payload.size() > kMaxQueued) {
        close();  // the broker stopped reading even small frames: start over later
        return;
    }
    push(type, payload);
    flush();
}

void BrokerLink::send_output(std::string_view bytes) {
    if (fd_ < 0) return;
    if (gap_pending_ || queued_bytes_ + bytes.size() > kMaxQueuedOutput) {
        // Never wait for the broker: drop, until the owner resumes with its newest output.
        gap_pending_ = true;
        dropped_bytes_ += bytes.size();
        flush();
        return;
    }
    push_output(bytes);
    flush();
}

void BrokerLink::push_output(std::string_view bytes) {
    while (!bytes.empty()) {
        auto n = std::min(bytes.size(), kMaxPayload);
        push(FrameType::output, bytes.substr(0, n));
        bytes.remove_prefix(n);
    }
}

void BrokerLink::resume_with(std::string_view replay) {
    if (fd_ < 0 || !gap_pending_) return;
    gap_pending_ = false;
    // The replay travels inside the gap frame, so the broker can rebuild the screen from it
    // without passing it to viewers as new output (they saw part of it already).
    if (replay.size() > kMaxPayload) replay = replay.substr(replay.size() - kMaxPayload);
    push(FrameType::gap, replay);
    flush();
}

bool BrokerLink::flush() {
    while (!queue_.empty()) {
        const std::string& front = queue_.front();
        ssize_t n = ::send(fd_, front.data() + front_offset_, front.size() - front_offset_,
                           MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
            if (errno == EINTR) continue;
            close();
            return false;
        }
        front_offset_ += static_cast<std::size_t>(n);
        if (front_offset_ == front.size()) {
            queued_bytes_ -= front.size();
            queue_.pop_front();
            front_offset_ = 0;
        }
    }
    return true;
}

bool BrokerLink::on_writable() {
    return fd_ >= 0 && flush();
}

bool BrokerLink::on_readable() {
    if (fd_ < 0) return false;
    char buffer[65536];
    for (;;) {
        ssize_t n = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n > 0) {
            decoder_.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
            if (static_cast<std::size_t>(n) < sizeof buffer) break;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n < 0 && errno == EINTR) continue;
        close();  // EOF or error; frames already decoded stay readable
        return false;
    }
    if (decoder_.error() != FrameDecoder::Error::none) {
        close();
        return false;
    }
    return true;
}

std::optional<Frame> BrokerLink::next_frame() {
    auto frame = decoder_.next();
    // A corrupt stream cannot be resynchronised: hang up, so the owner sees the link gone
    // instead of waiting forever for frames that will never decode.
    if (!frame && decoder_.error() != FrameDecoder::Error::none && fd_ >= 0) close();
    return frame;
}

}  // namespace tandem
