#include "terminate_command.hpp"

#include <poll.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <ostream>

#include "tandem/broker_link.hpp"
#include "tandem/json_object.hpp"

namespace tandem::admin {
namespace {

constexpr const char* kTerminateUsage = "usage: tandem-admin terminate SESSION [--reason TEXT]";

// Asks the broker to end the session now. Returns its answer, or nullopt when it is not
// running or did not answer in time (the hook's store re-check then does the work).
std::optional<nlohmann::json> tell_broker(const Config& config, const std::string& actor,
                                          const TerminateOrder& order) {
    BrokerLink link(config.broker_socket, config.broker_uid);
    if (!link.connect()) return std::nullopt;
    link.send(FrameType::hello, nlohmann::json{{"v", kWireProtocolVersion},
                                               {"role", "admin"},
                                               {"cmd", "terminate"},
                                               {"user", actor},
                                               {"session", order.session},
                                               {"reason", order.reason}}
                                    .dump());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (link.connected() && std::chrono::steady_clock::now() < deadline) {
        pollfd p{link.fd(), static_cast<short>(POLLIN | (link.wants_write() ? POLLOUT : 0)), 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        if ((p.revents & POLLOUT) && !link.on_writable()) break;
        if ((p.revents & (POLLIN | POLLHUP | POLLERR)) && !link.on_readable() &&
            !link.pending_frames())
            break;
        while (auto frame = link.next_frame())
            if (frame->type == FrameType::reply)
                return parse_json_object(frame->payload).value_or(nlohmann::json::object());
    }
    return std::nullopt;
}

}  // namespace

TerminateOrder parse_terminate(const std::vector<std::string>& args) {
    TerminateOrder order;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--reason" || arg.rfind("--reason=", 0) == 0) {
            if (!order.reason.empty())
                throw UsageError("option --reason given twice; " + std::string(kTerminateUsage));
            if (arg == "--reason") {
                if (i + 1 >= args.size())
                    throw UsageError("option --reason needs a value; " +
                                     std::string(kTerminateUsage));
                order.reason = args[++i];
            } else {
                order.reason = arg.substr(9);
            }
            if (order.reason.empty())
                throw UsageError("option --reason needs a value; " + std::string(kTerminateUsage));
        } else if (arg.rfind("-", 0) == 0) {
            throw UsageError("unknown option '" + arg + "'; " + kTerminateUsage);
        } else if (order.session.empty()) {
            order.session = arg;
        } else {
            throw UsageError("unexpected argument '" + arg + "'; " + kTerminateUsage);
        }
    }
    if (order.session.empty()) throw UsageError(std::string("which session? ") + kTerminateUsage);
    if (order.session.size() > 64)
        throw UsageError("'" + order.session.substr(0, 64) + "...' is not a session id");
    if (order.reason.size() > kMaxTerminateReason)
        throw UsageError("the reason is longer than " + std::to_string(kMaxTerminateReason) +
                         " bytes");
    for (unsigned char c : order.reason)
        if (c < 0x20 || c == 0x7f)
            throw UsageError("the reason must be one line of printable text");
    return order;
}

void run_terminate(const TerminateOrder& order, Context& ctx, Store& store, const Config& config) {
    const auto session = store.find_session(order.session);
    if (!session)
        throw AdminError("no session " + order.session + " (tandem-admin sessions lists them)");
    if (session->ended_at) throw AdminError("session " + order.session + " has already ended");
    try {
        store.order_termination({order.session, now_unix(), ctx.actor, order.reason});
    } catch (const StoreError& e) {
        if (e.kind() == StoreError::Kind::not_found)
            throw AdminError("session " + order.session + " has already ended");
        throw;
    }
    ctx.out << "terminating session " << order.session << " (" << session->user_name << " on "
            << session->account_name << ")\n";
    const auto answer = tell_broker(config, ctx.actor, order);
    if (answer && answer->value("ok", false)) {
        ctx.out << "ended now for its creator and every participant (T_320)\n";
    } else {
        // Not registered with the broker (no terminal, or the broker restarted), or no broker:
        // the hook reads the order from the store on its next access re-check.
        ctx.out << "the broker " << (answer ? "does not know this session" : "did not answer")
                << "; the session's own re-check ends it within "
                << config.session_access_recheck.count() << " s\n";
    }
}

}  // namespace tandem::admin
