// Host Ops and LogIn (docs/web.md): what a logged-in user may open in the browser, and opening
// it. The list holds the user's own grants only, whatever their role.
#include "tandem/log.hpp"
#include "web_routes.hpp"

namespace tandem::broker {
namespace {

constexpr std::size_t kMaxAccountLength = 256;

int dimension(const nlohmann::json& body, const char* key, int fallback) {
    auto it = body.find(key);
    return it != body.end() && it->is_number_integer() ? it->get<int>() : fallback;
}

}  // namespace

WebResponse WebRoutes::host_ops(const LoginSessions::Login& login) const {
    nlohmann::json accounts = nlohmann::json::array();
    const auto user = ctx_.store.find_user(login.user);
    const auto sessions = om_.of_user(login.user);
    if (user) {
        for (const auto& account : ctx_.store.granted_accounts(user->id)) {
            const auto host = ctx_.store.find_host(account.host_name);
            nlohmann::json open = nlohmann::json::array();
            for (const auto& s : sessions) {
                if (s->account() != account.name()) continue;
                // Another login's session is listed, not offered: only its own login attaches.
                open.push_back({{"session", s->owner().login_id == login.id ? s->id() : ""},
                                {"started_at", s->started_at()},
                                {"this_login", s->owner().login_id == login.id}});
            }
            accounts.push_back({{"account", account.name()},
                                {"host", account.host_name},
                                {"address", host ? host->address : ""},
                                {"port", host ? host->port : 0},
                                {"sessions", std::move(open)}});
        }
    }
    return json_response(200, {{"ok", true}, {"user", login.user}, {"accounts", accounts}});
}

WebResponse WebRoutes::open_web_session(const WebRequest& request,
                                        const LoginSessions::Login& login) {
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (!body.is_object() || !body.contains("account") || !body["account"].is_string() ||
        body["account"].get_ref<const std::string&>().size() > kMaxAccountLength)
        return error_response(400, ErrorCode::T_303_malformed_account);
    const TerminalSize size{dimension(body, "rows", 24), dimension(body, "cols", 80)};
    auto opened =
        om_.open({login.user, login.id, request.client}, body["account"].get<std::string>(), size);
    if (auto* code = std::get_if<ErrorCode>(&opened)) return error_response(200, *code);
    return json_response(200, {{"ok", true}, {"session", std::get<std::string>(opened)}});
}

}  // namespace tandem::broker
