// The holding node's side of the links between nodes (docs/cluster.md): cluster.listen takes
// mutual-TLS connections from the other nodes (cluster_tls.hpp), reads the first frame, which
// must be a viewer's join or an invitation preview, and hands the connection to this broker's
// own socket as if a local join hook had made it. The invitee is then an ordinary viewer here:
// the invite and the grant are checked again, and every rule of the share applies unchanged.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <string>

#include "broker_context.hpp"
#include "tcp_listener.hpp"

namespace tandem::broker {

class ClusterListener {
  public:
    static constexpr std::size_t kMaxLinks = 4096;  // one per relayed invitee

    // Binds cluster.listen; throws TandemError(T_101) when it cannot, or when the cluster
    // certificate cannot be loaded.
    explicit ClusterListener(BrokerContext& ctx);
    void start() { listener_.start(); }
    void stop() { listener_.stop(); }
    bool listening() const { return listener_.listening(); }
    std::string bound_address() const;

  private:
    BrokerContext& ctx_;
    boost::asio::ssl::context tls_;
    TcpListener listener_;
};

}  // namespace tandem::broker
