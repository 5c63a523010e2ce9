#include "password_checker.hpp"

#include <openssl/crypto.h>

#include <boost/asio/post.hpp>

#include "tandem/log.hpp"
#include "tandem/password_hash.hpp"

namespace tandem::broker {
namespace {

// Made once, on the worker thread, before any real check (the pool runs tasks in order).
const std::string& dummy_hash() {
    static const std::string hash = hash_password("no user has this password");
    return hash;
}

}  // namespace

PasswordChecker::PasswordChecker(boost::asio::io_context& io, std::size_t max_pending)
    : io_(io), max_pending_(max_pending) {
    boost::asio::post(pool_, [] {
        try {
            dummy_hash();
        } catch (const std::exception& e) {
            log::error(std::string("cannot prepare the password checker: ") + e.what());
        }
    });
}

PasswordChecker::~PasswordChecker() {
    stop();
}

void PasswordChecker::stop() {
    pool_.stop();
    pool_.join();
}

bool PasswordChecker::check(std::string password, std::string encoded_hash,
                            std::function<void(bool)> done) {
    if (busy()) return false;
    ++pending_;
    boost::asio::post(pool_, [this, password = std::move(password), hash = std::move(encoded_hash),
                              done = std::move(done)]() mutable {
        bool ok = false;
        try {
            if (hash.empty()) {
                verify_password(password, dummy_hash());  // same cost; the answer stays "no"
            } else {
                ok = verify_password(password, hash);
            }
        } catch (const std::exception& e) {
            log::error(std::string("password check failed: ") + e.what());
        }
        OPENSSL_cleanse(password.data(), password.size());
        boost::asio::post(io_, [this, ok, done = std::move(done)] {
            --pending_;
            done(ok);
        });
    });
    return true;
}

}  // namespace tandem::broker
