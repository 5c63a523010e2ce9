#include "node_presence.hpp"

#include <unistd.h>

#include <exception>

#include "tandem/errors.hpp"
#include "tandem/log.hpp"
#include "tandem/process_liveness.hpp"

namespace tandem::broker {
namespace {

std::string host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
    return name;
}

std::string shown(const std::string& node) {
    return node.empty() ? "(the store's one node)" : node;
}

}  // namespace

NodePresence::NodePresence(Store& store, const Config& config) : store_(store), config_(config) {
    me_.id = config.cluster_node;
    me_.host = host_name();
    me_.pid = ::getpid();
    me_.address = config.cluster_listen;
}

void NodePresence::claim() {
    const UnixTime now = now_unix();
    me_.started_at = now;
    me_.last_seen = now;
    auto holder = store_.claim_node(me_, now - config_.cluster_node_timeout.count());
    if (!holder) return;
    // A broker of this machine that is gone (killed, crashed) and was restarted: its row is
    // fresh but nobody runs it any more.
    if (holder->host == me_.host && !process_runs(static_cast<pid_t>(holder->pid), "tandem-broker"))
        holder = store_.claim_node(me_, holder->last_seen + 1);
    if (!holder) return;
    throw TandemError(ErrorCode::T_104_node_id_in_use,
                      "node " + shown(me_.id) + " is held by the broker with pid " +
                          std::to_string(holder->pid) + " on " + holder->host + ", last seen " +
                          std::to_string(now - holder->last_seen) + " s ago");
}

int NodePresence::beat() {
    try {
        const UnixTime now = now_unix();
        store_.node_heartbeat(me_.id, now);
        const auto ended =
            store_.end_sessions_of_gone_nodes(me_.id, now - config_.cluster_node_timeout.count());
        for (const auto& uuid : ended)
            log::warn("session " + uuid + " ended: its node has been silent for more than " +
                      std::to_string(config_.cluster_node_timeout.count()) + " s");
        return static_cast<int>(ended.size());
    } catch (const std::exception& e) {
        log::error(std::string("node heartbeat failed: ") + e.what());
        return 0;
    }
}

}  // namespace tandem::broker
