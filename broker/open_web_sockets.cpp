#include "open_web_sockets.hpp"

#include <algorithm>

namespace tandem::broker {

OpenWebSockets::OpenWebSockets(int max_per_user)
    : state_(std::make_shared<State>(
          State{static_cast<std::size_t>(std::max(max_per_user, 1)), {}, {}})) {}

std::shared_ptr<OpenWebSockets::Lease> OpenWebSockets::open(const std::string& user,
                                                            const std::string& login_id,
                                                            std::shared_ptr<void> connection_slot) {
    if (open_for(user) >= state_->max_per_user) return nullptr;
    return std::make_shared<Lease>(state_, user, login_id, std::move(connection_slot));
}

void OpenWebSockets::close_login(const std::string& login_id, const std::string& reason) {
    auto it = state_->per_login.find(login_id);
    if (it == state_->per_login.end()) return;
    // Copied first: closing may release leases and so change the list.
    std::vector<std::shared_ptr<ClosableViewer>> viewers;
    for (Lease* lease : it->second)
        if (auto viewer = lease->viewer_.lock()) viewers.push_back(std::move(viewer));
    for (const auto& viewer : viewers) viewer->close_now(reason);
}

std::vector<std::string> OpenWebSockets::logins() const {
    std::vector<std::string> ids;
    ids.reserve(state_->per_login.size());
    for (const auto& [id, leases] : state_->per_login) ids.push_back(id);
    return ids;
}

std::size_t OpenWebSockets::open_for(const std::string& user) const {
    auto it = state_->per_user.find(user);
    return it == state_->per_user.end() ? 0 : it->second;
}

OpenWebSockets::Lease::Lease(std::shared_ptr<State> state, std::string user, std::string login_id,
                             std::shared_ptr<void> slot)
    : state_(std::move(state)),
      user_(std::move(user)),
      login_id_(std::move(login_id)),
      slot_(std::move(slot)) {
    ++state_->per_user[user_];
    state_->per_login[login_id_].push_back(this);
}

OpenWebSockets::Lease::~Lease() {
    if (auto it = state_->per_user.find(user_); it != state_->per_user.end() && --it->second == 0)
        state_->per_user.erase(it);
    if (auto it = state_->per_login.find(login_id_); it != state_->per_login.end()) {
        auto& leases = it->second;
        leases.erase(std::remove(leases.begin(), leases.end(), this), leases.end());
        if (leases.empty()) state_->per_login.erase(it);
    }
}

}  // namespace tandem::broker
