// This node's side of joins to shares another node holds (docs/cluster.md). An invitee may
// arrive on any node behind the load balancer; the invite names a share, the store names the
// node running its session, and this node relays the invitee there over a mutual-TLS link
// (cluster_tls.hpp). The holding node checks the invite and the grant again and serves the
// invitee as one of its own viewers: control, refusals, exit, unshare, revocation and late-join
// snapshots are its rules, unchanged.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>

#include "broker_context.hpp"
#include "tandem/errors.hpp"

namespace tandem::broker {

class SessionRegistry;

class ClusterLinks {
  public:
    using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;
    using LocalSocket = boost::asio::local::stream_protocol::socket;
    static constexpr auto kDialTimeout = std::chrono::seconds(3);

    // Throws TandemError(T_101) when the cluster certificate cannot be loaded.
    explicit ClusterLinks(BrokerContext& ctx);

    // The address of the node that holds the share `token` names, when that is another node:
    // the join goes there. Nothing when this node answers: it holds the share, or the invite is
    // no good, or the share is over (refused here as on one node).
    std::optional<std::string> holder_elsewhere(std::string_view token,
                                                const SessionRegistry& registry) const;

    // Connects to the node at `address` (TCP within kDialTimeout, then TLS); `done` gets the
    // link, or nullptr when the node cannot be reached (logged).
    void dial(const std::string& address, std::function<void(std::shared_ptr<TlsStream>)> done);

    // An SSH invitee's join hook, whose hello (with anything after it) is `sent`, relayed to the
    // node at `address`; answered T_717 when that node cannot be reached (the hook retries, as
    // after a broker restart).
    void relay_viewer(LocalSocket socket, std::string sent, const std::string& address);

    // The invitation page's preview of a share another node holds: its JSON, or the refusal.
    void preview(const std::string& address, const std::string& token, const std::string& user,
                 std::function<void(std::variant<nlohmann::json, ErrorCode>)> done);

  private:
    BrokerContext& ctx_;
    boost::asio::ssl::context tls_;
};

}  // namespace tandem::broker
