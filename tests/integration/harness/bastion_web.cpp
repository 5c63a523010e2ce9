// BastionInstance's web face: the broker's HTTPS (or plain HTTP) listener on a free port.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include "harness/bastion_instance.hpp"
#include "harness/paths.hpp"

namespace tandem::test {

std::string built_webview_dir() {
    return binary("") + "../webview";
}

std::string BastionInstance::web_url() const {
    return std::string(web_plain_ ? "http" : "https") + "://127.0.0.1:" + std::to_string(web_port_);
}

void BastionInstance::start_broker_with_web(const std::string& assets_dir, bool plain,
                                            std::vector<std::string> overrides) {
    web_plain_ = plain;
    for (int attempt = 1;; ++attempt) {
        web_port_ = free_loopback_port();
        std::vector<std::string> all{
            "--web.listen=127.0.0.1:" + std::to_string(web_port_),
            "--web.public_url=" + web_url(),
            "--web.assets=" + (assets_dir.empty() ? built_webview_dir() : assets_dir),
            std::string("--web.plain_http=") + (plain ? "true" : "false"),
            // Where invitees ssh to (a web creator's Invite friends prints the join line).
            "--ssh.public_address=127.0.0.1:" + std::to_string(port_),
        };
        all.insert(all.end(), overrides.begin(), overrides.end());
        try {
            start_broker(all);
            return;
        } catch (const std::runtime_error& e) {
            const bool port_taken = std::string(e.what()).find("in use") != std::string::npos;
            if (!port_taken || attempt == 5) throw;
        }
    }
}

}  // namespace tandem::test
