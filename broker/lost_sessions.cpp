#include "lost_sessions.hpp"

#include <sys/types.h>

#include <exception>

#include "tandem/log.hpp"
#include "tandem/process_liveness.hpp"

namespace tandem::broker {

int end_lost_sessions(Store& store, const std::string& node) {
    int ended = 0;
    try {
        for (const auto& hook : store.live_session_hooks(node)) {
            if (hook.hook_pid == 0) continue;  // written before hooks recorded their pid
            if (process_runs(static_cast<pid_t>(hook.hook_pid), "tandem-shell")) continue;
            if (!store.end_lost_session(hook, "hook lost")) continue;
            ++ended;
            log::warn("session " + hook.uuid + " (" + hook.user_name + " on " + hook.account_name +
                      ") ended: its hook (pid " + std::to_string(hook.hook_pid) + ") is gone");
        }
    } catch (const std::exception& e) {
        log::error(std::string("reconciling live sessions with their hooks failed: ") + e.what());
    }
    return ended;
}

std::vector<LiveShare> shares_to_resume(Store& store, const std::string& node) {
    try {
        return store.reset_live_shares(node);
    } catch (const std::exception& e) {
        log::error(std::string("reading the shares of a previous broker failed: ") + e.what());
        return {};
    }
}

}  // namespace tandem::broker
