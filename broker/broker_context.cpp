#include "broker_context.hpp"

#include "tandem/log.hpp"

namespace tandem::broker {

void BrokerContext::audit(const std::string& actor, const std::string& action,
                          const std::string& subject, const std::string& detail) const {
    try {
        store.audit(actor, action, subject, detail);
    } catch (const std::exception& e) {
        log::error("audit write failed (" + action + "): " + e.what());
    }
}

}  // namespace tandem::broker
