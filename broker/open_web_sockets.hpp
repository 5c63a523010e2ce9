// The web face's open WebSockets, counted per user (web.max_websockets_per_user, T_208) and
// listed per login session, so that a logout or a password change can close them. Each
// WebSocket holds a Lease for as long as its connection lives; the lease also keeps the
// connection's place under the listener's overall connection cap.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace tandem::broker {

// A WebSocket viewer as the web face's bookkeeping sees it: something it may have to close.
class ClosableViewer {
  public:
    virtual ~ClosableViewer() = default;
    // Sends a close frame with this reason, then drops the connection if the browser does
    // not answer it promptly.
    virtual void close_now(const std::string& reason) = 0;
};

class OpenWebSockets {
  public:
    class Lease;

    explicit OpenWebSockets(int max_per_user);

    // A place for one more WebSocket of `user`, made under login session `login_id`; nullptr
    // when the user already has the most allowed. `connection_slot` is released with it.
    std::shared_ptr<Lease> open(const std::string& user, const std::string& login_id,
                                std::shared_ptr<void> connection_slot);

    // Closes every WebSocket opened under that login session.
    void close_login(const std::string& login_id, const std::string& reason);

    // The login sessions that have WebSockets open now.
    std::vector<std::string> logins() const;
    std::size_t open_for(const std::string& user) const;

  private:
    struct State {
        std::size_t max_per_user;
        std::unordered_map<std::string, std::size_t> per_user;
        std::unordered_map<std::string, std::vector<Lease*>> per_login;
    };
    // Shared with the leases: a viewer may outlive the listener during shutdown.
    std::shared_ptr<State> state_;
};

class OpenWebSockets::Lease {
  public:
    Lease(std::shared_ptr<State> state, std::string user, std::string login_id,
          std::shared_ptr<void> slot);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    // The viewer this lease counts (weak: the viewer holds the lease, not the other way).
    void attach(std::weak_ptr<ClosableViewer> viewer) { viewer_ = std::move(viewer); }

  private:
    friend class OpenWebSockets;
    std::shared_ptr<State> state_;
    std::string user_;
    std::string login_id_;
    std::shared_ptr<void> slot_;
    std::weak_ptr<ClosableViewer> viewer_;
};

}  // namespace tandem::broker
