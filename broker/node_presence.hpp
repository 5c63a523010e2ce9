// This node among the nodes sharing one store (docs/cluster.md). At start the broker claims its
// node id, refused with T_104 while another running broker holds it; then every
// cluster.heartbeat it tells the store it is alive and ends the live sessions of any node
// silent for cluster.node_timeout (their hooks died with that node). On the store's one node
// (cluster.node empty) the same runs and finds no other node.
#pragma once

#include <string>

#include "tandem/config.hpp"
#include "tandem/store.hpp"

namespace tandem::broker {

class NodePresence {
  public:
    NodePresence(Store& store, const Config& config);

    // Throws TandemError(T_104) when another broker heard from within cluster.node_timeout holds
    // this node id; StoreError when the store cannot say.
    void claim();
    // The heartbeat and the check for gone nodes; a failing store is logged and retried next
    // time. Returns how many sessions of gone nodes it ended.
    int beat();

  private:
    Store& store_;
    const Config& config_;
    NodeRecord me_;
};

}  // namespace tandem::broker
