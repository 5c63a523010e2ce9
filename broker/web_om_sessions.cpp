#include "web_om_sessions.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "tandem/account_name.hpp"
#include "tandem/log.hpp"
#include "tandem/session_uuid.hpp"

namespace tandem::broker {

HookLaunch HookLaunch::for_broker(const Config& config, const CommandLine& command_line) {
    HookLaunch launch;
    launch.config_path = config.config_path;
    launch.overrides = command_line.overrides;
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    launch.path = resolve_hook_path(
        config.ssh_shell, ec ? std::string("./tandem-broker") : exe.string(),
        [](const std::string& path) { return ::access(path.c_str(), X_OK) == 0; });
    return launch;
}

WebOmSessions::WebOmSessions(BrokerContext& ctx, SessionRegistry& registry, HookLaunch launch)
    : ctx_(ctx), registry_(registry), launch_(std::move(launch)) {
    // A web session's hook registers under the id given here; its page then hears the session.
    registry_.on_open([this](const std::shared_ptr<LiveSession>& live) {
        auto it = sessions_.find(live->info().id);
        if (it != sessions_.end()) it->second->bind(live);
    });
}

HookInvocation WebOmSessions::invocation(const WebOmOwner& owner, const std::string& account,
                                         const std::string& id) const {
    HookInvocation out;
    out.path = launch_.path;
    out.argv.push_back("tandem-shell");
    if (!launch_.config_path.empty()) {
        out.argv.push_back("--config");
        out.argv.push_back(launch_.config_path);
    }
    for (const auto& [key, value] : launch_.overrides) out.argv.push_back("--" + key + "=" + value);
    for (const char* arg :
         {"--user", owner.user.c_str(), "--web", id.c_str(), "--from", owner.from.c_str()})
        out.argv.emplace_back(arg);
    std::string home = "/", name = "tandem";
    if (const passwd* pw = ::getpwuid(::geteuid())) {
        name = pw->pw_name;
        home = pw->pw_dir;
    }
    out.env = {"PATH=/usr/local/bin:/usr/bin:/bin",
               "TERM=xterm-256color",
               "LANG=C.UTF-8",
               "SSH_ORIGINAL_COMMAND=" + account,
               "USER=" + name,
               "LOGNAME=" + name,
               "HOME=" + home,
               "TANDEM_FRONTEND=web"};
    return out;
}

std::variant<std::string, ErrorCode> WebOmSessions::open(const WebOmOwner& owner,
                                                         const std::string& account,
                                                         TerminalSize size) {
    const auto name = AccountName::parse(account);
    if (!name) return ErrorCode::T_303_malformed_account;
    // The hook checks again (and pins the host key); checking here spares a process for a
    // request that cannot succeed, and answers unknown and ungranted alike.
    const auto user = ctx_.store.find_user(owner.user);
    const auto acct = ctx_.store.find_account(name->login, name->host);
    if (!user || !acct || !ctx_.store.has_grant(user->id, acct->id))
        return ErrorCode::T_302_no_grant;
    const auto open_now = std::count_if(sessions_.begin(), sessions_.end(), [&](const auto& s) {
        return s.second->owner().user == owner.user && !s.second->ended();
    });
    if (open_now >= ctx_.config.web_max_om_sessions_per_user)
        return ErrorCode::T_221_too_many_web_sessions;
    size.cols = std::clamp(size.cols, 20, 500);
    size.rows = std::clamp(size.rows, 5, 200);

    const std::string id = new_session_uuid();
    std::shared_ptr<WebOmSession> session;
    try {
        auto process =
            HookProcess::spawn_on_pty(invocation(owner, name->text(), id), open_pty(size));
        session = std::make_shared<WebOmSession>(ctx_, registry_, id, owner, name->text(),
                                                 std::move(process), size);
    } catch (const std::exception& e) {
        log::error("web session for " + owner.user + " did not start: " + e.what());
        return ErrorCode::T_222_web_session_failed;
    }
    sessions_[id] = session;
    ctx_.audit(owner.user, "web.session.open", name->text(),
               "session=" + id + " via=web from=" + owner.from);
    log::info("web session " + id + " for " + owner.user + " on " + name->text() + " from " +
              owner.from);
    session->start([this](const std::string& done) { sessions_.erase(done); });
    return id;
}

std::shared_ptr<WebOmSession> WebOmSessions::find(const std::string& id, const std::string& user,
                                                  const std::string& login_id) const {
    auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second->ended()) return nullptr;
    const auto& owner = it->second->owner();
    if (owner.user != user || owner.login_id != login_id) return nullptr;
    return it->second;
}

std::vector<std::shared_ptr<WebOmSession>> WebOmSessions::of_user(const std::string& user) const {
    std::vector<std::shared_ptr<WebOmSession>> out;
    for (const auto& [id, s] : sessions_)
        if (s->owner().user == user && !s->ended()) out.push_back(s);
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a->started_at() < b->started_at(); });
    return out;
}

void WebOmSessions::end_all(const std::string& why) {
    for (auto& [id, s] : sessions_) s->end(why);
}

}  // namespace tandem::broker
