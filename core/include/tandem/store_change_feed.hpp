// Changes to who may do what, as another process made them: a grant revoked, a user disabled or
// deleted, an account or host deleted (docs/cluster.md). On PostgreSQL the store sends a NOTIFY
// with each such change, and a feed LISTENs on a connection of its own, so a broker acts on a
// change made through another node within a second instead of at its next periodic re-check
// (which stays, as the backstop). On SQLite there is no feed: one machine, whose processes the
// periodic re-check serves.
#pragma once

#include <memory>
#include <string>

namespace tandem {

class StoreChangeFeed {
  public:
    // A feed on the store at `location`; nullptr for SQLite. Throws StoreError(unavailable)
    // when the database cannot be reached.
    static std::unique_ptr<StoreChangeFeed> open(const std::string& location);
    virtual ~StoreChangeFeed() = default;

    // A descriptor that becomes readable when a change may have arrived (owned by the feed).
    virtual int descriptor() const = 0;
    // Reads what arrived: how many changes (0: none yet). Throws StoreError(unavailable) when
    // the connection broke (open a new feed, and re-check everything once).
    virtual int take() = 0;
};

}  // namespace tandem
