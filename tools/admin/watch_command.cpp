#include "watch_command.hpp"

#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "tandem/broker_link.hpp"
#include "tandem/json_object.hpp"

namespace tandem::admin {
namespace {

constexpr const char* kWatchUsage = "usage: tandem-admin watch SESSION";
constexpr char kStopKey = 0x1d;  // Ctrl-]

// The operator's terminal in raw mode while watching (keys are read one by one, not echoed),
// put back as it was on every way out.
class RawInput {
  public:
    RawInput() {
        if (!::isatty(STDIN_FILENO) || ::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
        termios raw = saved_;
        ::cfmakeraw(&raw);
        raw.c_oflag |= OPOST;  // the view's own "\r\n" stays as sent; notes keep their newlines
        active_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
    ~RawInput() {
        if (active_) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
    }
    RawInput(const RawInput&) = delete;
    RawInput& operator=(const RawInput&) = delete;
    bool active() const { return active_; }

  private:
    termios saved_{};
    bool active_ = false;
};

void write_all(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(STDOUT_FILENO, bytes.data() + done, bytes.size() - done);
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace

std::string parse_watch(const std::vector<std::string>& args) {
    if (args.empty()) throw UsageError(std::string("which session? ") + kWatchUsage);
    if (args.size() > 1) throw UsageError("unexpected argument '" + args[1] + "'; " + kWatchUsage);
    if (args[0].rfind("-", 0) == 0)
        throw UsageError("unknown option '" + args[0] + "'; " + kWatchUsage);
    if (args[0].size() > 64)
        throw UsageError("'" + args[0].substr(0, 64) + "...' is not a session id");
    return args[0];
}

void run_watch(const std::string& session, Context& ctx, Store& store, const Config& config) {
    const auto record = store.find_session(session);
    if (!record) throw AdminError("no session " + session + " (tandem-admin sessions lists them)");
    if (record->ended_at) throw AdminError("session " + session + " has already ended");
    BrokerLink link(config.broker_socket, config.broker_uid);
    if (!link.connect())
        throw AdminError("the broker is not running (" + config.broker_socket +
                         "), so live sessions cannot be watched now");
    link.send(FrameType::hello, nlohmann::json{{"v", kWireProtocolVersion},
                                               {"role", "admin"},
                                               {"cmd", "watch"},
                                               {"user", ctx.actor},
                                               {"session", session}}
                                    .dump());
    ctx.out.flush();
    RawInput input;
    bool welcomed = false;
    std::string ending;
    while (link.connected()) {
        pollfd fds[2] = {
            {link.fd(), static_cast<short>(POLLIN | (link.wants_write() ? POLLOUT : 0)), 0},
            {input.active() ? STDIN_FILENO : -1, POLLIN, 0}};
        if (::poll(fds, 2, 1000) < 0) continue;
        if (fds[1].revents & POLLIN) {
            char keys[64];
            const ssize_t n = ::read(STDIN_FILENO, keys, sizeof keys);
            for (ssize_t i = 0; i < n; ++i)
                if (keys[i] == kStopKey || keys[i] == 'q') ending = "Stopped watching.";
            if (!ending.empty()) break;
        }
        if ((fds[0].revents & POLLOUT) && !link.on_writable()) break;
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) link.on_readable();
        while (auto frame = link.next_frame()) {
            const auto j = [&] {
                return parse_json_object(frame->payload).value_or(nlohmann::json::object());
            };
            switch (frame->type) {
                case FrameType::reply: {
                    const auto reply = j();
                    if (!reply.value("ok", false))
                        throw AdminError(reply.value("text", "the broker refused to watch"));
                    welcomed = true;
                    write_all("\x1b[2J\x1b[H");  // the snapshot that follows paints the rest
                    ctx.out << "watching " << reply.value("creator", "?") << " on "
                            << reply.value("account", "?") << " (" << reply.value("cols", 0) << "x"
                            << reply.value("rows", 0) << ", read-only"
                            << (reply.value("announced", true) ? ", announced" : "")
                            << "); Ctrl-] or q stops\r\n";
                    ctx.out.flush();
                    break;
                }
                case FrameType::snapshot:
                case FrameType::output:
                    write_all(frame->payload);
                    break;
                case FrameType::end:
                    ending = j().value("text", "The session ended.");
                    break;
                default:
                    break;
            }
        }
        if (!ending.empty()) break;
    }
    link.close();
    if (!welcomed && ending.empty()) throw AdminError("the broker closed the connection");
    write_all("\x1b[0m\r\n" + (ending.empty() ? std::string("The session ended.") : ending) +
              "\r\n");
}

}  // namespace tandem::admin
