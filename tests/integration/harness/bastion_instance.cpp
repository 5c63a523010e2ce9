#include "harness/bastion_instance.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <stdexcept>

#include "harness/paths.hpp"

namespace tandem::test {

BastionInstance::BastionInstance(std::string dir, std::vector<std::string> sshd_overrides,
                                 std::vector<std::string> init_overrides)
    : dir_(std::move(dir)) {
    become_subreaper();  // session processes orphaned by tandem-sshd stay findable
    std::vector<std::string> init{binary("tandem-admin"), "init", "--dir", dir_};
    init.insert(init.end(), init_overrides.begin(), init_overrides.end());
    auto r = run_command(init, {}, 60s);
    if (r.exit_code != 0) throw std::runtime_error("tandem-admin init failed: " + r.describe());
    if (!file_exists(config_path()))
        throw std::runtime_error("tandem-admin init wrote no " + config_path());
    ::mkdir((dir_ + "/keys").c_str(), 0700);
    start_sshd(sshd_overrides);
}

BastionInstance::~BastionInstance() {
    if (sshd_pid_ > 0) stop_process_tree(sshd_pid_, 5s);
    // A restarted tandem-sshd's connections are ours (the test is their subreaper).
    for (pid_t pid : orphaned_connections_) ::kill(pid, SIGKILL);
    for (pid_t pid : orphaned_connections_) {
        int ignored = 0;
        wait_for_exit(pid, 2s, ignored);
    }
    if (broker_pid_ > 0) stop_process_tree(broker_pid_, 5s);
    if (::testing::Test::HasFailure())
        std::fprintf(stderr, "[ bastion  ] %s\n", diagnostics().c_str());
}

void BastionInstance::start_sshd(const std::vector<std::string>& overrides) {
    std::string out_path = dir_ + "/tandem-sshd.out";
    std::string err_path = dir_ + "/tandem-sshd.err";
    sshd_overrides_ = overrides;
    std::vector<std::string> argv{binary("tandem-sshd"), "--config", config_path(),
                                  "--ssh.listen=127.0.0.1:" + std::to_string(port_)};
    argv.insert(argv.end(), overrides.begin(), overrides.end());

    sshd_pid_ = spawn_with_output_files(argv, out_path, err_path);

    // The first stdout line names the port it bound: "tandem-sshd listening on 127.0.0.1:PORT".
    auto m = await_line_in_file(out_path, R"(tandem-sshd listening on 127\.0\.0\.1:(\d+))",
                                sshd_pid_, 30s);
    if (!m.empty()) {
        port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
        return;
    }
    int status = 0;
    if (wait_for_exit(sshd_pid_, 0ms, status)) {
        sshd_pid_ = -1;
        throw std::runtime_error("tandem-sshd exited with " + std::to_string(status) +
                                 " before listening:\n" + diagnostics());
    }
    throw std::runtime_error("tandem-sshd did not report its port within 30 s:\n" + diagnostics());
}

CommandResult BastionInstance::admin(const std::vector<std::string>& args,
                                     const std::string& stdin_data) {
    std::vector<std::string> argv{binary("tandem-admin"), "--config", config_path()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, stdin_data, 60s);
}

CommandResult BastionInstance::admin_ok(const std::vector<std::string>& args) {
    auto r = admin(args);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(r.exit_code, 0) << "tandem-admin " << joined << "\n" << r.describe();
    return r;
}

std::string BastionInstance::generate_key(const std::string& name) {
    std::string path = dir_ + "/keys/" + name;
    auto r = run_command({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path},
                         {}, 30s);
    if (r.exit_code != 0) throw std::runtime_error("ssh-keygen failed: " + r.describe());
    return path;
}

std::string BastionInstance::add_user(const std::string& name) {
    std::string key = generate_key(name);
    admin_ok({"user", "add", name, "--key", key + ".pub"});
    return key;
}

std::string BastionInstance::add_host_account(const std::string& name, const ManagedHost& host,
                                              const std::string& pinned_key_file) {
    admin_ok({"host", "add", name, "127.0.0.1", "--port", std::to_string(host.port()), "--host-key",
              pinned_key_file.empty() ? host.host_public_key() : pinned_key_file});
    std::string account = host.login() + "@" + name;
    admin_ok({"account", "add", account, "--key", host.account_key()});
    return account;
}

void BastionInstance::grant(const std::string& user, const std::string& account) {
    admin_ok({"grant", user, account});
}

void BastionInstance::revoke(const std::string& user, const std::string& account) {
    admin_ok({"revoke", user, account});
}

SshTarget BastionInstance::ssh(const std::string& user, const std::string& key,
                               const std::string& command) const {
    SshTarget t;
    t.port = port_;
    t.user = user;
    t.key = key;
    t.command = command;
    return t;
}

std::string BastionInstance::diagnostics() const {
    return "instance " + dir_ + "\n--- tandem-sshd stdout:\n" +
           file_tail(dir_ + "/tandem-sshd.out") + "\n--- tandem-sshd stderr:\n" +
           file_tail(dir_ + "/tandem-sshd.err") +
           (file_exists(dir_ + "/tandem-broker.err")
                ? "\n--- tandem-broker stdout:\n" + file_tail(dir_ + "/tandem-broker.out") +
                      "\n--- tandem-broker stderr:\n" + file_tail(dir_ + "/tandem-broker.err")
                : std::string()) +
           "\n--- tandem.log:\n" + file_tail(dir_ + "/tandem.log");
}

void BastionInstance::restart_sshd(int signal) {
    const auto connections = sshd_descendants();
    orphaned_connections_.insert(orphaned_connections_.end(), connections.begin(),
                                 connections.end());
    ::kill(sshd_pid_, signal);
    int status = 0;
    if (!wait_for_exit(sshd_pid_, 10s, status))
        throw std::runtime_error("tandem-sshd did not exit within 10 s of the signal");
    sshd_pid_ = -1;
    // start_sshd waits for the "listening on" line: the old one's must not answer for it.
    ::unlink((dir_ + "/tandem-sshd.out").c_str());
    start_sshd(sshd_overrides_);
}

std::vector<pid_t> BastionInstance::sshd_descendants() const {
    return descendants_of(sshd_pid_);
}

}  // namespace tandem::test
