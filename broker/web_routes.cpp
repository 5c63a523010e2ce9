#include "web_routes.hpp"

#include <cctype>

#include "cluster_links.hpp"
#include "tandem/log.hpp"

namespace tandem::broker {
namespace {

constexpr std::size_t kMaxTokenLength = 4096;

bool is_api(std::string_view path) {
    return path.rfind("/api/", 0) == 0;
}

WebResponse method_not_allowed(const char* allow) {
    auto r = text_response(405, "Method not allowed");
    r.headers.emplace_back("Allow", allow);
    return r;
}

WebResponse redirect(std::string location) {
    WebResponse r;
    r.status = 302;
    r.headers.emplace_back("Location", std::move(location));
    return r;
}

}  // namespace

std::string login_redirect(std::string_view path) {
    static const char* hex = "0123456789ABCDEF";
    if (path.size() > 512) return "/login";
    std::string next;
    for (unsigned char c : path) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            next += static_cast<char>(c);
        } else {
            next += '%';
            next += hex[c >> 4];
            next += hex[c & 15];
        }
    }
    return "/login?next=" + next;
}

WebRoutes::WebRoutes(BrokerContext& ctx, SessionRegistry& registry, WebOmSessions& om,
                     PublicOrigin origin, StaticAssets& assets, WebLogin& login)
    : ctx_(ctx),
      registry_(registry),
      om_(om),
      origin_(std::move(origin)),
      assets_(assets),
      login_(login) {}

std::optional<WebResponse> WebRoutes::screen_head(std::string_view method, std::string_view path,
                                                  std::string_view origin) const {
    const bool guarded = method == "POST" || path == "/ws";
    if (!guarded || origin == origin_.origin) return std::nullopt;
    auto r = error_response(403, ErrorCode::T_206_foreign_origin);
    r.close = true;  // the body, if any, is never read
    return r;
}

std::optional<LoginSessions::Login> WebRoutes::handle(const WebRequest& request,
                                                      const Respond& respond) {
    try {
        return route(request, respond);
    } catch (const StoreError& e) {
        log::error(std::string("web: store: ") + e.what());
        respond(error_response(503, ErrorCode::T_102_store_unavailable));
    } catch (const std::exception& e) {
        log::error(std::string("web: ") + e.what());
        respond(error_response(500, ErrorCode::T_103_internal));
    }
    return std::nullopt;
}

std::optional<LoginSessions::Login> WebRoutes::route(const WebRequest& request,
                                                     const Respond& respond) {
    const std::string& path = request.path;
    const bool get = request.method == "GET";
    const bool post = request.method == "POST";

    // Public routes.
    if (path == "/login") {
        respond(get ? page("login.html") : method_not_allowed("GET"));
        return std::nullopt;
    }
    if (path == "/api/login") {
        if (post)
            login_.log_in(request, respond);
        else
            respond(method_not_allowed("POST"));
        return std::nullopt;
    }
    if (path.rfind("/assets/", 0) == 0) {
        respond(get ? asset(path.substr(8)) : method_not_allowed("GET"));
        return std::nullopt;
    }

    // Everything else needs a login.
    const auto login = login_.login_of(request);
    if (!login) {
        respond(anonymous(request));
        return std::nullopt;
    }
    const std::string* user = &login->user;
    if (path == "/") {
        respond(get ? redirect("/hosts") : method_not_allowed("GET"));
    } else if (path == "/hosts") {
        respond(get ? page("hosts.html") : method_not_allowed("GET"));
    } else if (path == "/api/hosts") {
        respond(get ? host_ops(*login) : method_not_allowed("GET"));
    } else if (path == "/api/sessions") {
        respond(post ? open_web_session(request, *login) : method_not_allowed("POST"));
    } else if (path == "/session") {
        respond(get ? page("session.html") : method_not_allowed("GET"));
    } else if (path == "/join") {
        respond(get ? page("join.html") : method_not_allowed("GET"));
    } else if (path == "/api/me") {
        respond(
            get ? json_response(200, {{"ok", true}, {"user", *user}, {"roles", roles_of(*user)}})
                : method_not_allowed("GET"));
    } else if (path == "/live") {
        respond(get ? page("live.html") : method_not_allowed("GET"));
    } else if (path == "/api/live") {
        respond(get ? live_sessions(*user) : method_not_allowed("GET"));
    } else if (path == "/api/live/terminate") {
        respond(post ? terminate_live(request, *user) : method_not_allowed("POST"));
    } else if (path == "/recordings") {
        respond(get ? page("recordings.html") : method_not_allowed("GET"));
    } else if (path == "/api/recordings") {
        respond(get ? recordings(*user) : method_not_allowed("GET"));
    } else if (path == "/api/recording") {
        respond(get ? recording(request, *user) : method_not_allowed("GET"));
    } else if (path == "/api/logout") {
        respond(post ? login_.log_out(request, *user) : method_not_allowed("POST"));
    } else if (path == "/api/invitation") {
        if (post)
            invitation(request, *user, respond);
        else
            respond(method_not_allowed("POST"));
    } else if (path == "/ws") {
        if (get && request.websocket_upgrade) return login;
        auto r = text_response(426, "WebSocket upgrade required");
        r.headers.emplace_back("Upgrade", "websocket");
        respond(std::move(r));
    } else if (is_api(path)) {
        respond(json_response(404, {{"ok", false}, {"text", "no such API"}}));
    } else {
        respond(text_response(404, "Not found"));
    }
    return std::nullopt;
}

// Pages send the visitor to the login page; the API and the WebSocket say 401 and nothing else.
WebResponse WebRoutes::anonymous(const WebRequest& request) const {
    if (request.method == "GET" && !is_api(request.path) && request.path != "/ws")
        return redirect(login_redirect(request.path));
    return error_response(401, ErrorCode::T_205_not_logged_in);
}

WebResponse WebRoutes::page(const std::string& file) const {
    auto loaded = assets_.load(file);
    if (!loaded) {
        log::error("web: " + assets_.dir() + "/" + file + " is missing (web.assets)");
        return text_response(404, "Not found");
    }
    WebResponse r;
    r.content_type = std::move(loaded->content_type);
    r.body = std::move(loaded->body);
    return r;
}

WebResponse WebRoutes::asset(const std::string& name) const {
    auto loaded = assets_.load(name);
    if (!loaded) return text_response(404, "Not found");
    WebResponse r;
    r.content_type = std::move(loaded->content_type);
    r.body = std::move(loaded->body);
    // Pages are never cached, even when fetched as an asset.
    r.cacheable = r.content_type.rfind("text/html", 0) != 0;
    return r;
}

void WebRoutes::invitation(const WebRequest& request, const std::string& user,
                           const Respond& respond) const {
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("token") ||
        !body["token"].is_string() || body["token"].get_ref<const std::string&>().empty() ||
        body["token"].get_ref<const std::string&>().size() > kMaxTokenLength)
        return respond(error_response(400, ErrorCode::T_702_invite_invalid));
    const std::string token = body["token"];
    auto answer = [clock = ctx_.clock](std::variant<nlohmann::json, ErrorCode> preview) {
        if (auto* code = std::get_if<ErrorCode>(&preview)) return error_response(200, *code);
        auto view = std::get<nlohmann::json>(std::move(preview));
        view.erase("id");
        view["ok"] = true;
        view["now"] = clock();
        return json_response(200, view);
    };
    // Another node holds the share: it answers, over the link (docs/cluster.md).
    if (ctx_.cluster != nullptr) {
        if (auto holder = ctx_.cluster->holder_elsewhere(token, registry_)) {
            return ctx_.cluster->preview(
                *holder, token, user,
                [respond, answer](std::variant<nlohmann::json, ErrorCode> preview) {
                    respond(answer(std::move(preview)));
                });
        }
    }
    respond(answer(registry_.preview(token, user)));
}

}  // namespace tandem::broker
