#include "metrics_text.hpp"

#include <initializer_list>

namespace tandem::broker {
namespace {

// Label values are ours (ways in, T_ codes), but escaped as the format says all the same.
std::string escaped(const std::string& value) {
    std::string out;
    for (char c : value) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

class Exposition {
  public:
    void family(const char* name, const char* type, const char* help) {
        text_ +=
            std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    }
    void sample(const char* name, std::uint64_t value) {
        text_ += std::string(name) + " " + std::to_string(value) + "\n";
    }
    void sample(const char* name, const char* label, const std::string& label_value,
                std::uint64_t value) {
        text_ += std::string(name) + "{" + label + "=\"" + escaped(label_value) + "\"} " +
                 std::to_string(value) + "\n";
    }
    // One sample per label value; `always` are present even at zero, so a dashboard's series
    // exist before the first event.
    void labelled(const char* name, const char* label,
                  const std::map<std::string, std::uint64_t>& counts,
                  std::initializer_list<const char*> always = {}) {
        std::map<std::string, std::uint64_t> all(counts);
        for (const char* value : always) all.emplace(value, 0);
        for (const auto& [value, count] : all) sample(name, label, value, count);
    }
    std::string take() { return std::move(text_); }

  private:
    std::string text_;
};

}  // namespace

std::string metrics_text(const BrokerMetrics& m, const SessionRegistry& registry) {
    std::uint64_t shared = 0;
    std::map<std::string, std::uint64_t> viewers;
    std::uint64_t watchers = 0;
    for (const auto& [id, session] : registry.sessions()) {
        if (session->share_id()) ++shared;
        watchers += session->watcher_count();
        for (const auto& [via, count] : session->participants_by_via()) viewers[via] += count;
    }
    Exposition out;
    out.family("tandem_broker_start_time_seconds", "gauge", "Unix time the broker started.");
    out.sample("tandem_broker_start_time_seconds", static_cast<std::uint64_t>(m.started_at));
    out.family("tandem_live_sessions", "gauge",
               "Host sessions whose hook is connected to the broker now.");
    out.sample("tandem_live_sessions", registry.sessions().size());
    out.family("tandem_shared_sessions", "gauge", "Live sessions with an active share now.");
    out.sample("tandem_shared_sessions", shared);
    out.family("tandem_viewers", "gauge", "Participants of shared sessions now, by way in.");
    out.labelled("tandem_viewers", "via", viewers, {"ssh", "web"});
    out.family("tandem_watchers", "gauge",
               "Operators watching a live session now (tandem-admin watch).");
    out.sample("tandem_watchers", watchers);
    out.family("tandem_watches_total", "counter", "Watch views opened with tandem-admin watch.");
    out.sample("tandem_watches_total", m.watches);
    out.family("tandem_sessions_registered_total", "counter",
               "Session hooks that registered with the broker.");
    out.sample("tandem_sessions_registered_total", m.sessions_registered);
    out.family("tandem_joins_total", "counter",
               "Invitees admitted to a shared session, by way in.");
    out.labelled("tandem_joins_total", "via", m.joins, {"ssh", "web"});
    out.family("tandem_join_refusals_total", "counter",
               "Join attempts refused, by error code (docs/errors.md).");
    out.labelled("tandem_join_refusals_total", "code", m.refusals);
    out.family("tandem_web_login_failures_total", "counter",
               "Web logins refused, by error code (T_203 wrong password, T_204 throttled).");
    out.labelled("tandem_web_login_failures_total", "code", m.login_failures, {"T_203", "T_204"});
    out.family("tandem_terminations_total", "counter",
               "Live sessions ended by an administrator, by where the order came from.");
    out.labelled("tandem_terminations_total", "via", m.terminations, {"cli", "web"});
    out.family("tandem_output_bytes_total", "counter",
               "Terminal output bytes received from session hooks.");
    out.sample("tandem_output_bytes_total", m.output_bytes);
    out.family("tandem_viewer_output_bytes_total", "counter",
               "Terminal output bytes fanned out to viewers (before slow-viewer drops).");
    out.sample("tandem_viewer_output_bytes_total", m.viewer_output_bytes);
    out.family("tandem_input_bytes_total", "counter",
               "Keystroke bytes of controlling invitees passed to session hooks.");
    out.sample("tandem_input_bytes_total", m.input_bytes);
    out.family("tandem_outbox_drops_total", "counter",
               "Times a slow peer's queued output was dropped (a resync became due).");
    out.sample("tandem_outbox_drops_total", m.outbox.drops);
    out.family("tandem_outbox_resyncs_total", "counter",
               "Fresh snapshots sent to peers that had output dropped, once they drained.");
    out.sample("tandem_outbox_resyncs_total", m.outbox.resyncs);
    out.family("tandem_outbox_overflows_total", "counter",
               "Peers disconnected because they did not read at all (hard queue limit).");
    out.sample("tandem_outbox_overflows_total", m.outbox.overflows);
    return out.take();
}

}  // namespace tandem::broker
