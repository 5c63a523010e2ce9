// BastionInstance's control of tandem-broker: start, stop, crash (SIGKILL) and restart, so a test
// can show what users see while the broker is down and after it is back.
#include <signal.h>

#include <stdexcept>

#include "harness/bastion_instance.hpp"
#include "harness/paths.hpp"

namespace tandem::test {

void BastionInstance::start_broker(std::vector<std::string> overrides) {
    if (broker_pid_ > 0) throw std::logic_error("the broker is already running");
    broker_overrides_ = overrides;
    const std::string out_path = dir_ + "/tandem-broker.out";
    const std::string err_path = dir_ + "/tandem-broker.err";
    // The web listener must not take a fixed port shared by parallel tests.
    std::vector<std::string> argv{binary("tandem-broker"), "--config", config_path(),
                                  "--web.listen=127.0.0.1:0"};
    argv.insert(argv.end(), overrides.begin(), overrides.end());
    broker_pid_ = spawn_with_output_files(argv, out_path, err_path, /*append_err=*/true);

    auto m = await_line_in_file(out_path, "tandem-broker listening on ", broker_pid_, 30s);
    if (!m.empty()) return;
    int status = 0;
    const bool exited = wait_for_exit(broker_pid_, 0ms, status);
    if (!exited) stop_process_tree(broker_pid_, 1s);
    broker_pid_ = -1;
    throw std::runtime_error(
        (exited ? "tandem-broker exited with " + std::to_string(status) + " before listening"
                : std::string("tandem-broker did not report listening within 30 s")) +
        ":\n" + diagnostics());
}

void BastionInstance::stop_broker() {
    if (broker_pid_ <= 0) return;
    stop_process_tree(broker_pid_, 10s);
    broker_pid_ = -1;
}

void BastionInstance::kill_broker() {
    if (broker_pid_ <= 0) return;
    ::kill(broker_pid_, SIGKILL);
    int status = 0;
    if (!wait_for_exit(broker_pid_, 10s, status))
        throw std::runtime_error("tandem-broker survived SIGKILL for 10 s");
    broker_pid_ = -1;
}

}  // namespace tandem::test
