// The broker's monitoring face (metrics.listen): plain HTTP, no login, GET /healthz and
// GET /metrics only, one request per connection. Meant for a loopback address scraped by a
// local agent (docs/monitoring.md); it tells nothing but counts and health.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "session_registry.hpp"
#include "tcp_listener.hpp"

namespace tandem::broker {

// One part /healthz reports on: its name and whether it is fine now.
struct HealthCheck {
    std::string name;
    std::function<bool()> ok;
};

class MetricsListener {
  public:
    // Binds metrics.listen. Throws TandemError(T_101) when the address is unusable.
    MetricsListener(BrokerContext& ctx, const SessionRegistry& registry,
                    std::vector<HealthCheck> checks);
    ~MetricsListener();
    MetricsListener(const MetricsListener&) = delete;
    MetricsListener& operator=(const MetricsListener&) = delete;

    void start() { listener_.start(); }
    void stop();
    // "http://127.0.0.1:9464": where it really listens (the port when 0 was asked for).
    std::string bound_url() const;

    struct Answer {
        int status = 404;
        std::string content_type = "text/plain; charset=utf-8";
        std::string body = "not found\n";
    };
    // What a GET of `target` gets (separate from the I/O, for the tests).
    Answer answer(const std::string& method, const std::string& target) const;

  private:
    BrokerContext& ctx_;
    const SessionRegistry& registry_;
    std::vector<HealthCheck> checks_;
    TcpListener listener_;
};

}  // namespace tandem::broker
