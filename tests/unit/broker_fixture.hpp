// The broker on a real Unix socket in a test: an instance with users and grants, the registry
// and hook listener on an io thread, and a raw-frame client that plays a hook (session or
// viewer) as the real hooks do. Shared by the broker's tests over SSH hooks and over the web.
#pragma once

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "hook_listener.hpp"
#include "tandem/frame_codec.hpp"
#include "tandem/instance.hpp"

namespace tandem::broker {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class Client {
  public:
    explicit Client(const std::string& path) {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
        EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    }
    ~Client() { ::close(fd_); }
    void send(FrameType type, std::string_view payload) {
        std::string wire;
        encode_frame(wire, type, payload, 1 << 20);
        send_raw(wire);
    }
    void send_raw(std::string_view wire) {
        while (!wire.empty()) {
            ssize_t n = ::send(fd_, wire.data(), wire.size(), MSG_NOSIGNAL);
            if (n <= 0) return;
            wire.remove_prefix(static_cast<size_t>(n));
        }
    }
    void send_json(FrameType type, const json& j) { send(type, j.dump()); }
    // Next frame of `type`, skipping others (kept in `skipped`). nullopt on timeout/close.
    std::optional<Frame> next(std::optional<FrameType> type = {},
                              std::chrono::milliseconds t = 5s) {
        auto deadline = std::chrono::steady_clock::now() + t;
        for (;;) {
            while (auto f = decoder_.next()) {
                if (!type || f->type == *type) return f;
                skipped.push_back(*f);
            }
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return std::nullopt;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
            char buf[65536];
            ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) {
                closed = true;
                return std::nullopt;
            }
            decoder_.feed(std::string_view(buf, static_cast<size_t>(n)));
        }
    }
    json next_json(FrameType type, std::chrono::milliseconds t = 5s) {
        auto f = next(type, t);
        EXPECT_TRUE(f) << "no frame of type " << int(type);
        return f ? json::parse(f->payload) : json();
    }
    bool closed = false;
    std::vector<Frame> skipped;
    int fd() const { return fd_; }

  private:
    int fd_;
    FrameDecoder decoder_{1 << 20};
};

class BrokerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/tandem-broker-test-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        instance_ = create_instance(dir_ + "/instance");
        config_ = instance_.config;
        config_.broker_socket = dir_ + "/broker.sock";
        config_.web_public_url = "https://bastion.test:8443";
        config_.broker_viewer_max_lag = viewer_max_lag_;
        Store setup = Store::open_existing(config_.store_path);
        auto alice = setup.add_user("alice", false, "");
        auto bob = setup.add_user("bob", false, "");
        auto dave = setup.add_user("dave", false, "");
        setup.add_user("carol", false, "");
        Host host;
        host.name = "web01";
        host.address = "127.0.0.1";
        auto host_id = setup.add_host(host);
        auto account = setup.put_account(host_id, "root", CredentialKind::password, "x");
        for (auto u : {alice, bob, dave}) setup.grant(u, account);
        store_.emplace(Store::open_existing(config_.store_path));
        codec_.emplace(InviteCodec::from_files(config_.invite_signing_key,
                                               config_.invite_verify_key, config_.web_public_url));
        ctx_.emplace(BrokerContext{io_, config_, *store_, *codec_});
        ctx_->clock = [this] { return now_unix() + clock_offset_.load(); };
        registry_.emplace(*ctx_);
        listener_.emplace(*ctx_, *registry_, config_.broker_socket);
        listener_->start();
        thread_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        work_.reset();
        io_.stop();
        thread_.join();
        std::filesystem::remove_all(dir_);
    }

    std::unique_ptr<Client> open_session() {
        auto c = std::make_unique<Client>(config_.broker_socket);
        c->send_json(FrameType::hello, {{"v", 1},
                                        {"role", "session"},
                                        {"session", "s-1"},
                                        {"user", "alice"},
                                        {"account", "root@web01"},
                                        {"cols", 80},
                                        {"rows", 24},
                                        {"client", "ssh 127.0.0.1"}});
        EXPECT_TRUE(c->next_json(FrameType::reply)["ok"].get<bool>());
        return c;
    }
    std::string share(Client& session, std::optional<int> ttl = {}) {
        json cmd = {{"id", 7}, {"cmd", "share"}};
        if (ttl) cmd["ttl"] = *ttl;
        session.send_json(FrameType::command, cmd);
        auto r = session.next_json(FrameType::reply);
        EXPECT_TRUE(r.value("ok", false)) << r.dump();
        EXPECT_EQ(r.value("id", 0), 7);
        EXPECT_EQ(r.value("url", ""), "https://bastion.test:8443/join#" + r.value("token", ""));
        return r.value("token", "");
    }
    std::pair<std::unique_ptr<Client>, json> join(const std::string& user,
                                                  const std::string& token) {
        auto c = std::make_unique<Client>(config_.broker_socket);
        c->send_json(FrameType::hello, {{"v", 1},
                                        {"role", "viewer"},
                                        {"user", user},
                                        {"token", token},
                                        {"from", "127.0.0.1"},
                                        {"cols", 80},
                                        {"rows", 24}});
        auto reply = c->next_json(FrameType::reply);
        return {std::move(c), reply};
    }

    std::string dir_;
    Instance instance_;
    Config config_;
    // Longer than the deployed default: on a busy test machine a reader that keeps up may still
    // pause for tens of ms, and only the tests of the lag rule want it met.
    std::chrono::milliseconds viewer_max_lag_{10'000};
    std::optional<Store> store_;
    std::optional<InviteCodec> codec_;
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
        io_.get_executor()};
    std::optional<BrokerContext> ctx_;
    std::optional<SessionRegistry> registry_;
    std::optional<HookListener> listener_;
    std::thread thread_;
    std::atomic<std::int64_t> clock_offset_{0};
};

}  // namespace
}  // namespace tandem::broker
