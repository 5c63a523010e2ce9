// A browser on this node joined to a share another node holds (docs/cluster.md): the link to
// the holding node, speaking the frames an SSH join hook speaks (broker-protocol.md), for one
// WebSocketViewer. The holding node admits the invitee as one of its own viewers; what it sends
// (welcome or refusal, snapshot, output, resizes, notices, replies, end) is handed to the
// viewer, and the viewer's keystrokes and commands go back. When the browser is behind, the
// viewer drops output and asks for a fresh snapshot, which the holding node sends.
#pragma once

#include <boost/asio/ssl/stream.hpp>
#include <deque>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "broker_context.hpp"
#include "cluster_links.hpp"
#include "tandem/errors.hpp"
#include "tandem/frame_codec.hpp"
#include "viewer.hpp"

namespace tandem::broker {

// What a viewer joined through another node hears besides what every Viewer hears.
class RemoteShareViewer : public Viewer {
  public:
    virtual void on_admitted(const nlohmann::json& welcome) = 0;
    virtual void on_refused(ErrorCode code) = 0;
    virtual void on_reply(const nlohmann::json& reply) = 0;  // to a command of ours
    // The link broke without an end (the holding node's broker died or restarts).
    virtual void on_link_lost() = 0;
};

class RemoteShare : public std::enable_shared_from_this<RemoteShare> {
  public:
    // Joins as `user` with `token` at the node at `address`; the viewer hears the outcome.
    static std::shared_ptr<RemoteShare> join(BrokerContext& ctx, const std::string& address,
                                             const std::string& token, const std::string& user,
                                             const std::string& from,
                                             std::weak_ptr<RemoteShareViewer> viewer);

    explicit RemoteShare(std::weak_ptr<RemoteShareViewer> viewer);

    void input(const std::string& bytes);
    void command(const std::string& cmd, int id);
    void request_snapshot();
    // The viewer is gone: the link closes, and the holding node lets the invitee go.
    void close();

  private:
    void start(std::shared_ptr<ClusterLinks::TlsStream> link, std::string hello);
    void read();
    void on_frame(Frame& frame);
    void send(FrameType type, std::string_view payload);
    void write_next();
    void lost();

    std::weak_ptr<RemoteShareViewer> viewer_;
    std::shared_ptr<ClusterLinks::TlsStream> link_;
    FrameDecoder decoder_;
    std::array<char, 64 * 1024> buffer_{};
    std::deque<std::string> outgoing_;  // the viewer's keystrokes and commands: small, bounded
    std::size_t outgoing_bytes_ = 0;
    bool writing_ = false;
    bool admitted_ = false;
    bool ended_ = false;
    bool closed_ = false;
};

}  // namespace tandem::broker
