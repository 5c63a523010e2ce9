#include "harness/broker_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace tandem::test {

BrokerClient::BrokerClient(const std::string& socket_path) {
    sockaddr_un addr{};
    if (socket_path.size() >= sizeof addr.sun_path)
        throw std::runtime_error("socket path too long: " + socket_path);
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        const std::string why = std::strerror(errno);
        ::close(fd_);
        throw std::runtime_error("connect " + socket_path + ": " + why);
    }
}

BrokerClient::~BrokerClient() {
    if (fd_ >= 0) ::close(fd_);
}

void BrokerClient::send(FrameType type, std::string_view payload) {
    std::string bytes;
    encode_frame(bytes, type, payload, 256 * 1024);
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t w = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (w > 0) {
            done += static_cast<std::size_t>(w);
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else {
            closed_ = true;
            return;
        }
    }
}

std::optional<Frame> BrokerClient::next(std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    for (;;) {
        if (auto frame = decoder_.next()) return frame;
        if (closed_ || decoder_.error() != FrameDecoder::Error::none) return std::nullopt;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return std::nullopt;
        pollfd pfd{fd_, POLLIN, 0};
        if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
        char buf[65536];
        ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
        if (r > 0) {
            decoder_.feed(std::string_view(buf, static_cast<std::size_t>(r)));
        } else if (r == 0 || errno != EINTR) {
            closed_ = true;
        }
    }
}

std::optional<Frame> BrokerClient::await(FrameType type, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return std::nullopt;
        auto frame = next(left);
        if (!frame) return frame;
        if (frame->type == type) return frame;
    }
}

}  // namespace tandem::test
