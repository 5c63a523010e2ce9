// A session hook talks only to the real broker: whoever else listens on broker.socket (another
// Unix user who took the path while the broker was down) gets no byte — no hello with the
// session's identity, no output — and nothing it sends reaches the host as keystrokes.
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "share_link.hpp"
#include "tandem/broker_link.hpp"
#include "tandem/errors.hpp"
#include "tandem/frame_codec.hpp"

namespace tandem {
namespace {

constexpr uid_t kNobody = 65534;

// A listener on DIR/broker.sock run by a forked child as `uid` (the test runs as root). It
// accepts one connection, sends what hands a stranger the keyboard — a notice that "mallory"
// controls the session, then keystrokes — and reports how many bytes the hook sent it.
class ListenerAs {
  public:
    ListenerAs(const std::string& dir, uid_t uid) : path(dir + "/broker.sock") {
        std::string script;
        encode_frame(script, FrameType::notice,
                     R"({"event":"control","creator":false,"controller":"mallory"})", 1 << 16);
        encode_frame(script, FrameType::input, "touch /tmp/owned\r", 1 << 16);
        int ready[2];
        int result[2];
        EXPECT_EQ(::pipe2(ready, O_CLOEXEC), 0);
        EXPECT_EQ(::pipe2(result, O_CLOEXEC), 0);
        EXPECT_EQ(::chown(dir.c_str(), uid, uid), 0);  // where it may bind, as `uid`
        pid_ = ::fork();
        if (pid_ == 0) {
            ::close(ready[0]);
            ::close(result[0]);
            serve(dir, uid, script, ready[1], result[1]);
            ::_exit(0);
        }
        ::close(ready[1]);
        ::close(result[1]);
        result_fd_ = result[0];
        char byte = 0;
        pollfd p{ready[0], POLLIN, 0};
        EXPECT_EQ(::poll(&p, 1, 5000), 1);
        EXPECT_EQ(::read(ready[0], &byte, 1), 1) << "the listener did not start";
        ::close(ready[0]);
    }
    ~ListenerAs() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        ::close(result_fd_);
    }
    ListenerAs(const ListenerAs&) = delete;
    ListenerAs& operator=(const ListenerAs&) = delete;

    // Bytes the hook sent before hanging up (or within 1.5 s); -1 when nobody connected.
    long received() {
        long n = -2;
        pollfd p{result_fd_, POLLIN, 0};
        if (::poll(&p, 1, 10000) == 1 && ::read(result_fd_, &n, sizeof n) != sizeof n) n = -2;
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
        return n;
    }

    const std::string path;

  private:
    // Runs in the child: raw system calls only, then _exit.
    static void serve(const std::string& dir, uid_t uid, const std::string& script, int ready,
                      int result) {
        if (::chdir(dir.c_str()) != 0) ::_exit(2);
        if (uid != ::geteuid() &&
            (::setgroups(0, nullptr) != 0 || ::setgid(uid) != 0 || ::setuid(uid) != 0))
            ::_exit(3);
        const int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::snprintf(addr.sun_path, sizeof addr.sun_path, "broker.sock");
        if (::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(s, 4) != 0)
            ::_exit(4);
        if (::write(ready, "r", 1) != 1) ::_exit(5);
        long received = -1;
        pollfd p{s, POLLIN, 0};
        if (::poll(&p, 1, 5000) == 1) {
            const int c = ::accept(s, nullptr, nullptr);
            // The hook may have hung up already: whether this send fails does not matter.
            [[maybe_unused]] const ssize_t sent =
                ::send(c, script.data(), script.size(), MSG_NOSIGNAL);
            received = 0;
            char buf[4096];
            for (int round = 0; round < 15; ++round) {  // 1.5 s at most
                pollfd q{c, POLLIN, 0};
                if (::poll(&q, 1, 100) != 1) continue;
                const ssize_t n = ::recv(c, buf, sizeof buf, 0);
                if (n <= 0) break;
                received += n;
            }
        }
        if (::write(result, &received, sizeof received) != sizeof received) ::_exit(6);
    }

    pid_t pid_ = -1;
    int result_fd_ = -1;
};

struct Outcome {
    bool connected = false;
    long listener_received = 0;
    std::vector<std::string> keystrokes;  // what would have been typed into the host
    std::vector<std::string> share_answer;
};

// A creator's ShareLink (tandem-shell's side of sharing) against a listener run as `uid`.
Outcome share_with_listener_as(uid_t uid) {
    char tmpl[] = "/tmp/tandem-impostor-XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    Outcome out;
    {
        ListenerAs listener(dir, uid);
        Config config;
        config.broker_socket = listener.path;
        ShareLink share(config, {"s-1", "alice", "root@web01", "ssh 127.0.0.1:5000", ""}, 24, 80);
        out.connected = share.fd() >= 0;
        share.on_output("alice's screen");
        for (int round = 0; round < 20; ++round) {  // 2 s, past the listener's 1.5 s
            pollfd p{share.fd(), share.poll_events(), 0};
            if (share.fd() >= 0 && ::poll(&p, 1, 100) > 0)
                share.on_poll(p.revents);
            else if (share.fd() < 0)
                ::poll(nullptr, 0, 100);
            for (auto& event : share.take_events())
                if (event.kind == ShareEvent::Kind::input) out.keystrokes.push_back(event.text);
        }
        out.listener_received = listener.received();
        if (!out.connected) out.share_answer = share.command(SessionCommand::share, "");
    }
    std::filesystem::remove_all(dir);
    return out;
}

TEST(BrokerLinkImpostor, AnotherUsersListenerGetsNothingAndCannotType) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root, to run the impostor as nobody";

    const Outcome impostor = share_with_listener_as(kNobody);
    EXPECT_FALSE(impostor.connected);
    EXPECT_EQ(impostor.listener_received, 0) << "the impostor got the hello or output";
    EXPECT_TRUE(impostor.keystrokes.empty()) << "the impostor's keystrokes reached the host";
    ASSERT_EQ(impostor.share_answer.size(), 1u);
    EXPECT_EQ(impostor.share_answer[0], user_message(ErrorCode::T_701_broker_down));
    // The bare link refuses it too: connect() fails as if no broker were there.
    {
        char tmpl[] = "/tmp/tandem-impostor-XXXXXX";
        const std::string dir = ::mkdtemp(tmpl);
        ListenerAs listener(dir, kNobody);
        BrokerLink link(listener.path);
        EXPECT_FALSE(link.connect());
        EXPECT_FALSE(link.connected());
        link.send(FrameType::hello, R"({"v":1})");
        EXPECT_EQ(listener.received(), 0);
        std::filesystem::remove_all(dir);
    }

    // Positive control: the same listener run as our own uid (the broker's) gets the hello and
    // the output, and its keystrokes do arrive — so the checks above can fail.
    const Outcome broker = share_with_listener_as(::geteuid());
    EXPECT_TRUE(broker.connected);
    EXPECT_GT(broker.listener_received, 0);
    ASSERT_EQ(broker.keystrokes.size(), 1u);
    EXPECT_EQ(broker.keystrokes[0], "touch /tmp/owned\r");
}

// broker.uid names one more uid the hook accepts as the broker's.
TEST(BrokerLinkImpostor, ConfiguredBrokerUidIsAccepted) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root, to run the listener as nobody";
    char tmpl[] = "/tmp/tandem-impostor-XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    {
        ListenerAs listener(dir, kNobody);
        BrokerLink link(listener.path, static_cast<int>(kNobody));
        ASSERT_TRUE(link.connect());
        link.send(FrameType::hello, R"({"v":1})");
        EXPECT_GT(listener.received(), 0);
    }
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tandem
