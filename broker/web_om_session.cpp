#include "web_om_session.hpp"

#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "refusal.hpp"
#include "tandem/join_line.hpp"
#include "tandem/log.hpp"
#include "web_origin.hpp"

namespace tandem::broker {
namespace {

constexpr std::size_t kReadChunk = 16 * 1024;
constexpr auto kReapEvery = std::chrono::milliseconds(50);
constexpr int kReapBeforeKill = 40;  // 2 s after the PTY closed, the hook's group is killed
constexpr int kReapGiveUp = 100;

}  // namespace

std::string web_om_join_address(const Config& config) {
    if (!config.ssh_public_address.empty()) return config.ssh_public_address;
    auto listen = parse_host_port(config.ssh_listen);
    if (!listen) return {};
    std::string host = listen->first;
    if (host == "0.0.0.0" || host == "::" || host.empty()) {
        // Listening everywhere: users reach SSH by the name they reach the web face by.
        auto origin = parse_public_origin(config.web_public_url);
        if (!origin) return {};
        const std::string& a = origin->authority;
        if (!a.empty() && a.front() == '[') {
            host = a.substr(0, a.find(']') + 1);
        } else {
            const auto colon = a.rfind(':');
            host = colon == std::string::npos ? a : a.substr(0, colon);
        }
    }
    if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
    return host + ":" + std::to_string(listen->second);
}

nlohmann::json web_om_end_message(const std::string& reason, std::optional<ErrorCode> code) {
    nlohmann::json end = {{"reason", reason}};
    if (code) {
        end["code"] = std::string(error_info(*code).id);
        end["text"] = user_message(*code);
    } else {
        end["text"] = reason == "exit" ? "The session ended: the shell on the host exited."
                                       : "The session ended (" + reason + ").";
    }
    return end;
}

WebOmSession::WebOmSession(BrokerContext& ctx, SessionRegistry& registry, std::string id,
                           WebOmOwner owner, std::string account, HookProcess process,
                           TerminalSize size)
    : ctx_(ctx),
      registry_(registry),
      id_(std::move(id)),
      owner_(std::move(owner)),
      account_(std::move(account)),
      process_(std::move(process)),
      pty_(ctx.io),
      grace_(ctx.io),
      reaper_(ctx.io),
      screen_(size.rows, size.cols),
      started_at_(ctx.clock()) {
    // The descriptor gets its own copy of the master, so that it alone closes what it reads.
    const int fd = ::dup(process_.pty_master());
    process_.close_output_fds();
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "dup");
    pty_.assign(fd);
}

WebOmSession::~WebOmSession() {
    // Never leave a hook behind (broker stopping with the session live).
    if (!finished_) process_.kill_group();
}

void WebOmSession::start(std::function<void(const std::string&)> finished) {
    on_finished_ = std::move(finished);
    read();
    start_grace();
}

void WebOmSession::read() {
    read_buffer_.resize(kReadChunk);
    pty_.async_read_some(
        boost::asio::buffer(read_buffer_),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
            // EIO once the hook and everything on its terminal are gone.
            if (ec) return self->on_pty_closed();
            std::string_view bytes(self->read_buffer_.data(), n);
            if (self->page_) self->page_->send_output(std::make_shared<const std::string>(bytes));
            if (self->screen_.append(bytes)) self->schedule_parse();
            self->read();
        });
}

void WebOmSession::schedule_parse() {
    if (parse_scheduled_) return;
    parse_scheduled_ = true;
    // A slice per turn, like the sessions' screens: a burst never starves the other connections.
    boost::asio::post(ctx_.io, [weak = weak_from_this()] {
        auto self = weak.lock();
        if (!self) return;
        self->parse_scheduled_ = false;
        if (self->screen_.parse_slice()) self->schedule_parse();
    });
}

void WebOmSession::attach(std::shared_ptr<Viewer> page) {
    if (page_ && page_ != page)
        page_->send_end({{"reason", "replaced"},
                         {"text", "This session was opened in another page of yours."}});
    page_ = std::move(page);
    grace_.cancel();
    page_->send_snapshot(screen_.snapshot());
    send_state();
}

void WebOmSession::detach(const Viewer* page) {
    if (page_.get() != page) return;
    page_.reset();
    start_grace();
}

void WebOmSession::send_snapshot(const Viewer* page) {
    if (page_ && page_.get() == page) page_->send_snapshot(screen_.snapshot());
}

void WebOmSession::start_grace() {
    if (ending_ || page_) return;
    grace_.expires_after(ctx_.config.web_om_grace);
    grace_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        auto self = weak.lock();
        if (!ec && self && !self->page_) self->end("page closed");
    });
}

void WebOmSession::input(std::string_view bytes) {
    if (ending_ || bytes.empty()) return;
    if (pending_input_.size() + bytes.size() > kMaxPendingInput) {
        // The hook stopped reading its terminal; a browser may not pile up memory here.
        log::warn("web session " + id_ + ": input dropped, the session is not reading");
        return;
    }
    pending_input_.append(bytes);
    write_input();
}

void WebOmSession::write_input() {
    if (writing_ || pending_input_.empty() || pty_closed_) return;
    writing_ = true;
    writing_input_ = std::move(pending_input_);
    pending_input_.clear();
    boost::asio::async_write(
        pty_, boost::asio::buffer(writing_input_),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
            self->writing_ = false;
            if (ec) return;  // the PTY is closing; read() notices
            self->write_input();
        });
}

void WebOmSession::resize(int cols, int rows) {
    if (ending_ || cols < 1 || rows < 1 || cols > 1000 || rows > 1000) return;
    if (cols == screen_.cols() && rows == screen_.rows()) return;
    screen_.resize(rows, cols);
    // The hook gets SIGWINCH and resizes the host's terminal, as with an SSH window change.
    set_terminal_size(pty_.native_handle(), TerminalSize{rows, cols});
}

nlohmann::json WebOmSession::command(SessionCommand command, const nlohmann::json& message) {
    if (command == SessionCommand::exit) {
        end("exit session");
        return {{"ok", true}};
    }
    if (!is_creator_command(command)) return refusal(ErrorCode::T_304_unknown_command);
    auto live = live_.lock();
    if (ending_ || !live || live->ended()) return refusal(ErrorCode::T_705_session_ended);
    nlohmann::json request = {{"cmd", to_string(command)}};
    if (command == SessionCommand::share && message.contains("ttl"))
        request["ttl"] = message["ttl"];
    auto reply = live->on_command(request);
    if (command == SessionCommand::share && reply.value("ok", false)) {
        const std::string address = web_om_join_address(ctx_.config);
        if (!address.empty())
            reply["ssh"] = ssh_join_line(address, reply.value("token", std::string()));
    }
    send_state();
    return reply;
}

void WebOmSession::send_state() {
    if (!page_) return;
    nlohmann::json state;
    if (auto live = live_.lock(); live && !live->ended()) {
        state = live->console_state();
        state["ready"] = true;
    } else {
        state = {{"ready", false}, {"shared", false}};
    }
    state["event"] = "state";
    page_->send_notice(state);
}

void WebOmSession::bind(const std::shared_ptr<LiveSession>& live) {
    // The hook registered under the id this session gave it; it must also be this creator's.
    if (live->info().creator != owner_.user || live->info().account != account_) {
        log::error("web session " + id_ + ": a hook registered as " + live->info().creator +
                   " on " + live->info().account + "; not attached");
        return;
    }
    live_ = live;
    live->set_console(weak_from_this());
    send_state();
}

void WebOmSession::on_notice(const nlohmann::json& notice) {
    if (!page_) return;
    page_->send_notice(notice);
    // After the change that caused the notice is complete (a joiner is told to everyone before
    // being added), once per burst of notices.
    if (state_scheduled_) return;
    state_scheduled_ = true;
    boost::asio::post(ctx_.io, [weak = weak_from_this()] {
        if (auto self = weak.lock()) {
            self->state_scheduled_ = false;
            self->send_state();
        }
    });
}

void WebOmSession::on_end(const std::string& reason, std::optional<ErrorCode> code) {
    end_reason_ = reason;
    end_code_ = code;
}

void WebOmSession::end(const std::string& why) {
    if (ending_) return;
    ending_ = true;
    grace_.cancel();
    log::info("web session " + id_ + " of " + owner_.user + " ending: " + why);
    // The hook ends the session as it would on an SSH hangup: recording, store and share.
    process_.hangup();
}

void WebOmSession::on_pty_closed() {
    if (pty_closed_) return;
    pty_closed_ = true;
    ending_ = true;
    grace_.cancel();
    reap(0);
}

void WebOmSession::reap(int attempts) {
    int status = 0;
    const pid_t pid = process_.pid();
    const pid_t done = pid > 0 ? ::waitpid(pid, &status, WNOHANG) : -1;
    if (done == pid || done < 0 || attempts >= kReapGiveUp) {
        // A moment more: the hook's last frame (why it ended) is read on this loop.
        reaper_.expires_after(kReapEvery);
        reaper_.async_wait([self = shared_from_this(), status](boost::system::error_code) {
            self->finish(status);
        });
        return;
    }
    if (attempts == kReapBeforeKill) process_.kill_group();
    reaper_.expires_after(kReapEvery);
    reaper_.async_wait([self = shared_from_this(), attempts](boost::system::error_code) {
        self->reap(attempts + 1);
    });
}

void WebOmSession::finish(int status) {
    if (finished_) return;
    finished_ = true;
    log::info("web session " + id_ + " of " + owner_.user + " ended (hook status " +
              std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
    if (page_) {
        page_->send_end(web_om_end_message(end_reason_, end_code_));
        page_.reset();
    }
    boost::system::error_code ignored;
    pty_.close(ignored);
    if (on_finished_) on_finished_(id_);
}

}  // namespace tandem::broker
