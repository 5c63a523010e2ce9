// Admission of connections that have not authenticated yet, as OpenSSH's MaxStartups and
// PerSourceMaxStartups: without it, idle TCP connections from one address (each holding a
// forked child for ssh.login_grace_time) would fill ssh.max_connections and lock everyone out.
// The listener records each connection child with its client address and the read end of a
// pipe on which the child reports its authentication; a child counts until it reports or ends.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "tandem/config.hpp"

namespace tandem::sshd {

class StartupGate {
  public:
    struct Pending {
        std::string source;  // client IP address
        int report_fd;       // readable (a byte, or EOF) once the child authenticated or ended
    };

    StartupGate(Config::MaxStartups limits, int per_source)
        : limits_(limits), per_source_(per_source) {}
    StartupGate(const StartupGate&) = delete;
    StartupGate& operator=(const StartupGate&) = delete;
    ~StartupGate() {
        for (const auto& [pid, child] : pending_) ::close(child.report_fd);
    }

    // Why a new connection from `source` is dropped, or nullopt to admit it. `roll`, uniform in
    // [0, 100), decides the random early drop between start and full.
    std::optional<std::string> refusal(const std::string& source, int roll) const {
        std::size_t from_source = 0;
        for (const auto& [pid, child] : pending_) from_source += child.source == source ? 1 : 0;
        if (from_source >= static_cast<std::size_t>(per_source_))
            return "ssh.per_source_max_startups (" + std::to_string(per_source_) +
                   ") unauthenticated connections from this address";
        const auto count = static_cast<int>(pending_.size());
        if (count < limits_.start) return std::nullopt;
        const std::string why =
            "ssh.max_startups: " + std::to_string(count) + " unauthenticated connections";
        if (count >= limits_.full || limits_.rate >= 100) return why;
        // OpenSSH's line: rate% at start, rising linearly to 100% at full.
        const int percent = limits_.rate + (100 - limits_.rate) * (count - limits_.start) /
                                               (limits_.full - limits_.start);
        if (roll < percent) return why;
        return std::nullopt;
    }

    void add(pid_t pid, std::string source, int report_fd) {
        pending_[pid] = {std::move(source), report_fd};
    }
    // The child reported authentication, or ended: it no longer counts. Closes its pipe.
    void remove(pid_t pid) {
        const auto it = pending_.find(pid);
        if (it == pending_.end()) return;
        ::close(it->second.report_fd);
        pending_.erase(it);
    }
    const std::map<pid_t, Pending>& pending() const { return pending_; }
    // In a freshly forked connection child: drops the listener's copies of the pipes.
    void forget_in_child() {
        for (const auto& [pid, child] : pending_) ::close(child.report_fd);
        pending_.clear();
    }

  private:
    Config::MaxStartups limits_;
    int per_source_;
    std::map<pid_t, Pending> pending_;
};

}  // namespace tandem::sshd
