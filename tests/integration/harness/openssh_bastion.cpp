#include "harness/openssh_bastion.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>

#include "harness/paths.hpp"
#include "harness/process.hpp"

namespace tandem::test {
namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

void run_ok(const std::vector<std::string>& argv) {
    const auto r = run_command(argv);
    if (r.exit_code != 0) throw std::runtime_error(r.describe());
}

// `tandem` and `join` share one uid: both run tandem-shell on the same store. Their shell must
// be a real one (sshd runs the key's command= through it); '*' means no password, not locked.
void ensure_service_logins() {
    // Tests run in parallel: one creates the users while the others wait on the lock.
    const int lock =
        ::open("/run/tandem-test-service-logins.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
        if (lock >= 0) ::close(lock);
        throw std::runtime_error("cannot lock /run/tandem-test-service-logins.lock");
    }
    struct Unlock {
        int fd;
        ~Unlock() { ::close(fd); }
    } unlock{lock};
    if (::getpwnam(OpensshBastion::kServiceLogin) == nullptr) {
        run_command({"useradd", "--system", "--user-group", "--shell", "/bin/sh", "--home-dir", "/",
                     "--no-create-home", "--password", "*", OpensshBastion::kServiceLogin});
    }
    const passwd* service = ::getpwnam(OpensshBastion::kServiceLogin);
    if (service == nullptr) throw std::runtime_error("cannot create the Unix user tandem");
    const std::string uid = std::to_string(service->pw_uid);
    const std::string gid = std::to_string(service->pw_gid);
    if (::getpwnam(OpensshBastion::kJoinLogin) == nullptr) {
        run_command({"useradd", "--non-unique", "--uid", uid, "--gid", gid, "--shell", "/bin/sh",
                     "--home-dir", "/", "--no-create-home", "--password", "*",
                     OpensshBastion::kJoinLogin});
    }
    const passwd* join = ::getpwnam(OpensshBastion::kJoinLogin);
    if (join == nullptr || join->pw_uid != service->pw_uid)
        throw std::runtime_error("the Unix user join is missing or has another uid than tandem");
}

}  // namespace

std::string OpensshBastion::unavailable_reason() {
    if (::geteuid() != 0) return "needs root (a stock sshd and the Unix logins tandem, join)";
    if (!file_exists("/usr/sbin/sshd")) return "needs /usr/sbin/sshd";
    return {};
}

OpensshBastion::OpensshBastion(BastionInstance& instance, std::string dir)
    : instance_(instance), dir_(std::move(dir)) {
    ensure_service_logins();
    // sshd runs an AuthorizedKeysCommand only from a path whose every directory is root-owned
    // and not group/world-writable, and the service uid must be able to run tandem-shell: the
    // checkout may be anywhere (under /tmp, under /root), so both binaries are copied to /run.
    static int instances = 0;
    bin_dir_ = "/run/tandem-it-" + std::to_string(::getpid()) + "-" + std::to_string(++instances);
    ::mkdir(bin_dir_.c_str(), 0755);
    ::chmod(bin_dir_.c_str(), 0755);
    for (const char* name : {"tandem-keys", "tandem-shell"})
        run_ok({"cp", binary(name), bin_dir_ + "/" + name});
    const std::string config = instance_.config_path();
    write_file(config,
               replace_all(read_file(config), "shell = /usr/bin/tandem-shell",
                           "shell = " + bin_dir_ + "/tandem-shell"),
               0600);
    // The service uid must reach its files through the test's private directories.
    for (std::string d = instance_.dir(); d.size() > 1 && d.rfind("/tmp/", 0) == 0;
         d = d.substr(0, d.rfind('/')))
        ::chmod(d.c_str(), 0711);
    run_ok({"chown", "-R", std::string(kServiceLogin) + ":", instance_.dir()});
    start_sshd();
}

OpensshBastion::~OpensshBastion() {
    if (broker_pid_ > 0) stop_process_tree(broker_pid_, 10s);
    if (sshd_pid_ > 0) stop_process_tree(sshd_pid_, 5s);
    if (!bin_dir_.empty()) run_command({"rm", "-rf", bin_dir_});
}

void OpensshBastion::start_sshd() {
    ::mkdir("/run/sshd", 0755);  // privilege separation directory sshd insists on
    run_ok({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir_ + "/ssh_host_ed25519_key"});
    const std::string snippet =
        replace_all(replace_all(read_file(source_path("packaging/sshd_config.d/tandem.conf")),
                                "/usr/sbin/tandem-keys", bin_dir_ + "/tandem-keys"),
                    "/etc/tandem/tandem.conf", instance_.config_path());
    for (int attempt = 0; attempt < 5; ++attempt) {
        port_ = free_loopback_port();
        // Outside the snippet: only what a throwaway daemon needs; nobody else may log in.
        write_file(dir_ + "/sshd_config",
                   "ListenAddress 127.0.0.1:" + std::to_string(port_) + "\nHostKey " + dir_ +
                       "/ssh_host_ed25519_key\nPidFile none\nUsePAM no\nLogLevel DEBUG1\n"
                       "AuthorizedKeysFile none\nPasswordAuthentication no\n"
                       "KbdInteractiveAuthentication no\nAllowUsers tandem join\n" +
                       snippet,
                   0600);
        const std::string log = dir_ + "/sshd.log";
        sshd_pid_ = spawn_with_output_files(
            {"/usr/sbin/sshd", "-D", "-e", "-f", dir_ + "/sshd_config"}, dir_ + "/sshd.out", log,
            /*append_err=*/true);
        const auto m = await_line_in_file(
            log, "Server listening on 127\\.0\\.0\\.1 port " + std::to_string(port_), sshd_pid_,
            20s);
        if (!m.empty()) return;
        stop_process_tree(sshd_pid_, 1s);
        sshd_pid_ = -1;
    }
    throw std::runtime_error("sshd did not start:\n" + sshd_log());
}

SshTarget OpensshBastion::ssh(const std::string& login, const std::string& key,
                              const std::string& command) const {
    SshTarget t = instance_.ssh(login, key, command);
    t.port = port_;
    return t;
}

void OpensshBastion::start_broker() {
    // The service uid may not enter the checkout (a private /tmp directory): it serves a copy.
    const std::string assets = bin_dir_ + "/webview";
    run_ok({"rm", "-rf", assets});
    run_ok({"cp", "-R", built_webview_dir(), assets});
    run_ok({"chmod", "-R", "u=rwX,go=rX", assets});
    const std::string out_path = dir_ + "/tandem-broker.out";
    const std::string err_path = dir_ + "/tandem-broker.err";
    // The port is picked first because web.public_url (invite URLs, the Origin check) names it.
    for (int attempt = 1;; ++attempt) {
        web_port_ = free_loopback_port();
        broker_pid_ = spawn_as_user_with_output_files(
            kServiceLogin,
            {binary("tandem-broker"), "--config", instance_.config_path(),
             "--web.listen=127.0.0.1:" + std::to_string(web_port_), "--web.public_url=" + web_url(),
             "--web.assets=" + assets},
            out_path, err_path);
        if (!await_line_in_file(out_path, "tandem-broker listening on ", broker_pid_, 30s).empty())
            return;
        stop_process_tree(broker_pid_, 1s);
        broker_pid_ = -1;
        const std::string why = file_tail(err_path);
        // Another process may have taken the port since it was picked: try another.
        if (why.find("in use") == std::string::npos || attempt == 5)
            throw std::runtime_error("tandem-broker did not start:\n" + why);
    }
}

std::string OpensshBastion::sshd_log() const {
    return file_tail(dir_ + "/sshd.log", 6000);
}

std::string OpensshBastion::diagnostics() const {
    return "--- sshd log:\n" + sshd_log() + "\n" + instance_.diagnostics() +
           "\n--- broker (as tandem):\n" + file_tail(dir_ + "/tandem-broker.err");
}

}  // namespace tandem::test
