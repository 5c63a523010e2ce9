// The Live sessions and Recordings pages' API (docs/web.md): admins and auditors list live
// sessions and ended ones, and fetch a recording; admins alone terminate. Every call re-reads
// the user's roles from the store (operator_roles.hpp).
#include <filesystem>
#include <fstream>

#include "admin_peer.hpp"
#include "operator_roles.hpp"
#include "web_routes.hpp"

namespace tandem::broker {
namespace {

constexpr std::size_t kMaxSessionId = 64;
constexpr std::size_t kMaxRecordings = 200;
// A recording is sent whole to the player: past this it is cut (and says so in a header).
constexpr std::uintmax_t kMaxRecordingBytes = 32u * 1024 * 1024;

nlohmann::json session_json(const SessionRecord& s) {
    return {{"id", s.uuid},
            {"user", s.user_name},
            {"account", s.account_name},
            {"via", s.via},
            {"client", s.client},
            {"started_at", s.started_at},
            {"ended_at", s.ended_at ? nlohmann::json(*s.ended_at) : nlohmann::json(nullptr)},
            {"status", s.end_reason},
            {"bytes_in", s.bytes_in},
            {"bytes_out", s.bytes_out}};
}

// The value of `key` in a query string, undecoded (session ids need no decoding), or "".
std::string query_value(const std::string& query, const std::string& key) {
    std::size_t at = 0;
    while (at <= query.size()) {
        const std::size_t end = std::min(query.find('&', at), query.size());
        const std::string_view part(query.data() + at, end - at);
        if (part.rfind(key + "=", 0) == 0) return std::string(part.substr(key.size() + 1));
        at = end + 1;
    }
    return {};
}

bool is_session_id(const std::string& id) {
    if (id.empty() || id.size() > kMaxSessionId) return false;
    for (char c : id)
        if (!std::isxdigit(static_cast<unsigned char>(c)) && c != '-') return false;
    return true;
}

// True when `file` is a regular file inside `dir` once symbolic links and ".." are resolved.
bool inside(const std::string& dir, const std::string& file) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto root = fs::canonical(dir, ec);
    if (ec) return false;
    const auto path = fs::canonical(file, ec);
    if (ec || !fs::is_regular_file(path, ec)) return false;
    const auto [r, p] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
    return r == root.end() && p != path.end();
}

}  // namespace

std::optional<WebResponse> WebRoutes::refuse_operator(const std::string& user,
                                                      OperatorAction action) const {
    const auto refusal = operator_refusal(ctx_.store.find_user(user), action);
    if (!refusal) return std::nullopt;
    return error_response(403, *refusal);
}

nlohmann::json WebRoutes::roles_of(const std::string& user) const {
    const auto u = ctx_.store.find_user(user);
    const bool ok = u && !u->disabled;
    return {{"admin", ok && u->is_admin}, {"auditor", ok && u->is_auditor}};
}

WebResponse WebRoutes::live_sessions(const std::string& user) const {
    if (auto refused = refuse_operator(user, OperatorAction::list_live)) return *refused;
    nlohmann::json list = nlohmann::json::array();
    for (const auto& live : ctx_.store.list_live_sessions()) {
        auto s = session_json(live.session);
        s["shared"] = live.sharing.shared;
        s["controller"] =
            live.sharing.controller.empty() ? live.session.user_name : live.sharing.controller;
        s["participants"] = nlohmann::json::array();
        for (const auto& p : live.sharing.participants)
            s["participants"].push_back({{"user", p.user_name}, {"via", p.via}});
        // Only the broker can show (and so watch) a session whose hook is connected to it.
        s["watchable"] = registry_.sessions().count(live.session.uuid) > 0;
        list.push_back(std::move(s));
    }
    return json_response(200, {{"ok", true},
                               {"user", user},
                               {"roles", roles_of(user)},
                               {"now", ctx_.clock()},
                               {"sessions", std::move(list)}});
}

WebResponse WebRoutes::terminate_live(const WebRequest& request, const std::string& user) {
    if (auto refused = refuse_operator(user, OperatorAction::terminate)) return *refused;
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (!body.is_object() || !body.contains("session") || !body["session"].is_string() ||
        !is_session_id(body["session"].get<std::string>()))
        return json_response(400, {{"ok", false}, {"text", "give the session's id"}});
    std::string reason;
    if (auto r = body.find("reason"); r != body.end() && r->is_string())
        reason = r->get<std::string>();
    // One printable line, as tandem-admin terminate takes it.
    for (char& c : reason)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    if (reason.size() > AdminPeer::kMaxReason) reason.resize(AdminPeer::kMaxReason);
    const std::string id = body["session"].get<std::string>();
    try {
        // The order in the store first: the hook ends the session on it even if the broker
        // does not know the session (docs/monitoring.md).
        ctx_.store.order_termination({id, 0, user, reason});
    } catch (const StoreError& e) {
        if (e.kind() != StoreError::Kind::not_found) throw;
        return error_response(200, ErrorCode::T_705_session_ended);
    }
    const bool now = registry_.terminate(id, user, reason);
    if (now) ++ctx_.metrics.terminations["web"];
    return json_response(200, {{"ok", true}, {"session", id}, {"ended_now", now}});
}

WebResponse WebRoutes::recordings(const std::string& user) const {
    if (auto refused = refuse_operator(user, OperatorAction::list_recordings)) return *refused;
    nlohmann::json list = nlohmann::json::array();
    for (const auto& s : ctx_.store.list_sessions(static_cast<int>(kMaxRecordings))) {
        if (!s.ended_at || s.recording_path.empty()) continue;
        list.push_back(session_json(s));
    }
    return json_response(
        200,
        {{"ok", true}, {"user", user}, {"roles", roles_of(user)}, {"sessions", std::move(list)}});
}

WebResponse WebRoutes::recording(const WebRequest& request, const std::string& user) const {
    if (auto refused = refuse_operator(user, OperatorAction::play_recording)) return *refused;
    const std::string id = query_value(request.query, "session");
    std::optional<SessionRecord> session;
    if (is_session_id(id)) session = ctx_.store.find_session(id);
    // Only a recording the store names for an ended session, inside the recordings folder.
    if (!session || !session->ended_at || session->recording_path.empty() ||
        !inside(ctx_.config.session_recordings_dir, session->recording_path))
        return error_response(404, ErrorCode::T_232_recording_unavailable);
    std::ifstream in(session->recording_path, std::ios::binary);
    if (!in) return error_response(404, ErrorCode::T_232_recording_unavailable);
    std::error_code ec;
    const auto size = std::filesystem::file_size(session->recording_path, ec);
    const bool cut = !ec && size > kMaxRecordingBytes;
    WebResponse r;
    r.content_type = "application/x-asciicast";
    r.body.resize(static_cast<std::size_t>(cut ? kMaxRecordingBytes : (ec ? 0 : size)));
    in.read(r.body.data(), static_cast<std::streamsize>(r.body.size()));
    r.body.resize(static_cast<std::size_t>(in.gcount()));
    if (cut) r.headers.emplace_back("X-Tandem-Truncated", std::to_string(size));
    ctx_.audit(user, "recording.play", id,
               "user=" + session->user_name + " account=" + session->account_name);
    return r;
}

}  // namespace tandem::broker
