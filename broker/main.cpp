// tandem-broker: share registry, invites, control arbitration, fan-out, late-joiner snapshots.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>

#include "access_change_watch.hpp"
#include "cluster_links.hpp"
#include "cluster_listener.hpp"
#include "hook_listener.hpp"
#include "lost_sessions.hpp"
#include "metrics_listener.hpp"
#include "node_presence.hpp"
#include "tandem/errors.hpp"
#include "tandem/log.hpp"
#include "tandem/version.hpp"
#include "web_listener.hpp"

using namespace tandem;

namespace {

constexpr const char* usage =
    "usage: tandem-broker [--config FILE] [--section.key=value ...]\n"
    "Serves the session hooks on broker.socket and the web face on web.listen.\n"
    "options:\n"
    "  --config FILE          the instance's tandem.conf (default: $TANDEM_CONFIG, then\n"
    "                         /etc/tandem/tandem.conf)\n"
    "  --section.key=value    override one config key (docs/configuration.md)\n"
    "  --version              print the version and exit\n"
    "  --help, -h             print this help and exit\n";

}  // namespace

int main(int argc, char** argv) {
    if (auto status = answer_version_or_help(argc, argv, "tandem-broker", usage, std::cout))
        return *status;
    try {
        const auto cli = split_command_line(argc, argv);
        if (!cli.rest.empty()) {
            std::cerr << "tandem-broker: unknown argument: " << cli.rest.front() << "\n" << usage;
            return 2;
        }
        const Config config = load_config(cli);
        log::init_from_config("tandem-broker", config.log_file, config.log_level,
                              log::Sink::stderr_stream);
        Store store = Store::open_existing(config.store_location());
        broker::NodePresence node(store, config);
        node.claim();
        const auto invites = InviteCodec::from_files(
            config.invite_signing_key, config.invite_verify_key, config.web_public_url);
        boost::asio::io_context io;
        broker::BrokerContext ctx{io, config, store, invites};
        ctx.metrics.started_at = now_unix();
        broker::SessionRegistry registry(ctx);
        broker::HookListener listener(ctx, registry, config.broker_socket);
        listener.start();
        // Creators in the browser (Host Ops → LogIn) get tandem-shell on a PTY started here.
        broker::WebOmSessions om_sessions(ctx, registry,
                                          broker::HookLaunch::for_broker(config, cli));
        // The web face (docs/web.md), unless web.listen is empty.
        std::unique_ptr<broker::WebListener> web;
        if (!config.web_listen.empty()) {
            web = std::make_unique<broker::WebListener>(ctx, registry, om_sessions);
            web->start();
        }
        // Links between nodes (docs/cluster.md), unless cluster.listen is empty: joins to shares
        // another node holds go there, and other nodes' joins to ours arrive here.
        std::unique_ptr<broker::ClusterLinks> cluster_links;
        std::unique_ptr<broker::ClusterListener> cluster_listener;
        if (!config.cluster_listen.empty()) {
            cluster_links = std::make_unique<broker::ClusterLinks>(ctx);
            ctx.cluster = cluster_links.get();
            cluster_listener = std::make_unique<broker::ClusterListener>(ctx);
            cluster_listener->start();
        }
        // /healthz and /metrics (docs/monitoring.md), unless metrics.listen is empty.
        std::unique_ptr<broker::MetricsListener> metrics;
        if (!config.metrics_listen.empty()) {
            std::vector<broker::HealthCheck> checks{
                {"store", [&] { return store.schema_version() > 0; }},
                {"hook_socket", [&] { return listener.listening(); }}};
            if (web) checks.push_back({"web", [&] { return web->listening(); }});
            if (cluster_listener)
                checks.push_back({"cluster", [&] { return cluster_listener->listening(); }});
            metrics = std::make_unique<broker::MetricsListener>(ctx, registry, std::move(checks));
            metrics->start();
        }

        // Revoking a grant ejects the person from live shares within seconds; a session whose
        // hook was killed before it could end it is ended in the store as soon (and at start).
        broker::end_lost_sessions(store, config.cluster_node);
        registry.expect_shares(broker::shares_to_resume(store, config.cluster_node));
        node.beat();
        boost::asio::steady_timer heartbeat_timer(io);
        std::function<void()> schedule_heartbeat = [&] {
            heartbeat_timer.expires_after(config.cluster_heartbeat);
            heartbeat_timer.async_wait([&](const boost::system::error_code& ec) {
                if (ec) return;
                node.beat();
                schedule_heartbeat();
            });
        };
        schedule_heartbeat();
        // A revocation made anywhere acts within a second (PostgreSQL's LISTEN/NOTIFY).
        broker::AccessChangeWatch access_changes(io, config.store_location(),
                                                 [&] { registry.recheck_grants(); });
        access_changes.start();
        boost::asio::steady_timer grant_timer(io);
        std::function<void()> schedule_grant_check = [&] {
            grant_timer.expires_after(std::chrono::seconds(2));
            grant_timer.async_wait([&](const boost::system::error_code& ec) {
                if (ec) return;
                registry.recheck_grants();
                registry.drop_unclaimed_shares();
                broker::end_lost_sessions(store, config.cluster_node);
                schedule_grant_check();
            });
        };
        schedule_grant_check();

        boost::asio::signal_set signals(io, SIGTERM, SIGINT);
        signals.async_wait([&](const boost::system::error_code&, int) {
            log::info("stopping");
            listener.stop();
            if (web) web->stop();
            if (metrics) metrics->stop();
            if (cluster_listener) cluster_listener->stop();
            grant_timer.cancel();
            access_changes.stop();
            heartbeat_timer.cancel();
            om_sessions.end_all("broker stopping");
            // The shares outlive this process: viewers are told to reconnect, the store keeps
            // the shares for the next broker (a web creator's session ends with its PTY).
            registry.suspend_all();
            // Let the final frames flush, then stop.
            boost::asio::post(io, [&] { io.stop(); });
        });
        // The web line comes first: scripts wait for the "listening on" line and may then read it.
        if (web) {
            std::printf("tandem-broker web on %s (public URL %s)\n", web->bound_url().c_str(),
                        config.web_public_url.c_str());
            log::info("web on " + web->bound_url());
        }
        if (metrics) {
            std::printf("tandem-broker metrics on %s\n", metrics->bound_url().c_str());
            log::info("metrics on " + metrics->bound_url());
        }
        if (cluster_listener) {
            std::printf("tandem-broker cluster links on %s\n",
                        cluster_listener->bound_address().c_str());
            log::info("cluster links on " + cluster_listener->bound_address());
        }
        std::printf("tandem-broker listening on %s\n", config.broker_socket.c_str());
        std::fflush(stdout);
        log::info("listening on " + config.broker_socket);
        io.run();
        return 0;
    } catch (const TandemError& e) {
        std::cerr << "tandem-broker: " << e.what()
                  << (e.detail().empty() ? "" : " (" + e.detail() + ")") << "\n";
    } catch (const std::exception& e) {
        std::cerr << "tandem-broker: " << e.what() << "\n";
    }
    return 1;
}
