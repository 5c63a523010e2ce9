// What every part of the broker shares: the event loop, configuration, the store and the
// invite codec. One thread runs the loop, so none of this needs locking.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>

#include "broker_metrics.hpp"
#include "tandem/config.hpp"
#include "tandem/invite_codec.hpp"
#include "tandem/store.hpp"

namespace tandem::broker {

class ClusterLinks;

struct BrokerContext {
    boost::asio::io_context& io;
    const Config& config;
    Store& store;
    const InviteCodec& invites;
    std::function<UnixTime()> clock = [] { return now_unix(); };
    BrokerMetrics metrics{};
    // Links to the other nodes, when this node is one of several (cluster.listen); else null.
    ClusterLinks* cluster = nullptr;

    // Audit never takes the broker down: a failing store is logged and the event dropped.
    void audit(const std::string& actor, const std::string& action, const std::string& subject,
               const std::string& detail = {}) const;
};

}  // namespace tandem::broker
