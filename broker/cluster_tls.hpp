// The TLS of the links between nodes (docs/cluster.md). Every node holds the same certificate
// and key (cluster.tls_cert, cluster.tls_key, created by init and copied to each node, as the
// invite keys are), presents it on both ends, and accepts a peer only when the peer presents
// exactly that certificate: no CA to trust or to compromise, and a link cannot be opened by
// anyone who lacks the key, which the handshake proves the peer holds.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include "tandem/config.hpp"

namespace tandem::broker {

// Throws TandemError(T_101) when the certificate or key cannot be loaded.
boost::asio::ssl::context make_cluster_tls(const Config& config, bool server);

}  // namespace tandem::broker
