// One connection on the broker's Unix socket: a session hook (role "session") or an SSH
// invitee's join hook (role "viewer"), see docs/broker-protocol.md. One outstanding write and
// a byte-bounded queue: a viewer that falls behind loses its queued output and gets a fresh
// snapshot once it drains, so no viewer can slow the session or the others.
#pragma once

#include <array>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "session_registry.hpp"
#include "tandem/frame_codec.hpp"
#include "viewer.hpp"

namespace tandem::broker {

class HookPeer : public std::enable_shared_from_this<HookPeer>, public Viewer, public SessionHook {
  public:
    using Socket = boost::asio::local::stream_protocol::socket;
    static constexpr std::size_t kMaxPayload = 256 * 1024;
    static constexpr std::size_t kViewerQueueBytes = 1024 * 1024;
    static constexpr std::size_t kHookQueueBytes = 4 * 1024 * 1024;

    HookPeer(Socket socket, BrokerContext& ctx, SessionRegistry& registry);
    void start();

    // Viewer
    void send_output(const std::shared_ptr<const std::string>& bytes) override;
    void send_snapshot(const std::string& bytes) override;
    void send_resize(int cols, int rows) override;
    void send_notice(const nlohmann::json& notice) override;
    void send_end(const nlohmann::json& end) override;
    // SessionHook
    void send_input(const std::string& bytes) override;

    std::size_t resyncs() const { return resyncs_; }

  private:
    enum class Role { unknown, session, viewer };
    struct Outgoing {
        std::array<char, 5> header;
        std::shared_ptr<const std::string> payload;
        bool droppable;  // output and snapshots: replaced by a fresh snapshot when behind
    };

    void read();
    void handle(Frame& frame);
    void on_hello(const nlohmann::json& hello);
    void on_session_frame(Frame& frame);
    void on_viewer_frame(Frame& frame);
    void reply(const nlohmann::json& body);
    void enqueue(FrameType type, std::shared_ptr<const std::string> payload, bool droppable);
    void write_next();
    void shut(const std::string& why);

    Socket socket_;
    BrokerContext& ctx_;
    SessionRegistry& registry_;
    FrameDecoder decoder_{kMaxPayload};
    std::array<char, 64 * 1024> read_buffer_{};
    boost::asio::steady_timer hello_timer_;

    std::deque<Outgoing> queue_;
    // The frame being written lives apart from queue_: the write holds pointers into it, and
    // dropping queued output for a slow viewer must never move it (a moved header would be
    // sent from freed memory and corrupt the stream).
    std::optional<Outgoing> in_flight_;
    std::size_t queued_bytes_ = 0;  // queue_ and in_flight_
    bool writing_ = false;
    bool close_after_flush_ = false;
    bool closed_ = false;
    bool resync_pending_ = false;
    std::size_t resyncs_ = 0;

    Role role_ = Role::unknown;
    // Weak: the registry owns sessions, and a session holds its peers; a strong pointer here
    // would make a cycle that outlives an abrupt shutdown.
    std::weak_ptr<LiveSession> session_;
    std::string session_id_;
    ParticipantId participant_;
};

}  // namespace tandem::broker
