#include "harness/managed_host.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <stdexcept>
#include <thread>

#include "harness/paths.hpp"
#include "harness/process.hpp"

namespace tandem::test {

namespace {
std::string script_path() {
    return source_path("scripts/managed-host.sh");
}
}  // namespace

ManagedHost::ManagedHost(std::string dir) : dir_(std::move(dir)) {
    become_subreaper();  // the daemonised sshd stays ours, so stop() can wait for it to end
    // The script picks the free port itself; retried because another parallel test may grab
    // the port between the script's probe and sshd's bind.
    CommandResult r;
    for (int attempt = 0; attempt < 3; ++attempt) {
        r = run_command({"bash", script_path(), "start", dir_}, {}, 30s);
        if (r.exit_code == 0) break;
    }
    if (r.exit_code != 0)
        throw std::runtime_error("managed host did not start: " + r.describe() + "\n" + log());
    port_ = static_cast<std::uint16_t>(std::stoi(r.out));
    running_ = true;
}

ManagedHost::~ManagedHost() {
    try {
        stop();
    } catch (...) {
        // A destructor must not throw; the script failing here leaves nothing we could fix.
    }
}

std::string ManagedHost::login() const {
    return current_login();
}
std::string ManagedHost::account_key() const {
    return dir_ + "/account_key";
}
std::string ManagedHost::host_public_key() const {
    return dir_ + "/ssh_host_ed25519_key.pub";
}
std::string ManagedHost::log() const {
    return file_tail(dir_ + "/sshd.log");
}

void ManagedHost::script(const std::string& verb) {
    auto r = run_command({"bash", script_path(), verb, dir_}, {}, 30s);
    if (r.exit_code != 0)
        throw std::runtime_error("managed-host.sh " + verb + " failed: " + r.describe());
}

void ManagedHost::stop() {
    if (!running_) return;
    pid_t listener = 0;
    try {
        listener = static_cast<pid_t>(std::stol(read_file(dir_ + "/sshd.pid")));
    } catch (const std::exception&) {
        listener = 0;  // no pid file: nothing to wait for
    }
    script("stop");  // continues a frozen tree before terminating it
    running_ = false;
    frozen_ = false;
    // "Host down" must mean down when stop() returns: wait until the listener is gone (and
    // reap it when it is our child), so a test never races a dying sshd that still accepts.
    for (auto deadline = Clock::now() + 10s; listener > 0 && Clock::now() < deadline;) {
        int ignored = 0;
        ::waitpid(listener, &ignored, WNOHANG);
        if (::kill(listener, 0) != 0) break;
        std::this_thread::sleep_for(10ms);  // polling for the process to end
    }
}

void ManagedHost::freeze() {
    script("freeze");
    frozen_ = true;
}

void ManagedHost::thaw() {
    script("thaw");
    frozen_ = false;
}

}  // namespace tandem::test
