// Failed web logins counted per user name and per client address (T_204). After max_failures
// within the window, that name or address is refused for one window. An attempt is counted
// before its password is checked, so parallel guesses cannot outrun the count; a success then
// forgives it. Nothing else lowers a count (a refused attempt is refused before it is counted),
// so a count falls only at that user's own successful login and a lockout lasts its window.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

namespace tandem::broker {

class LoginThrottle {
  public:
    using Clock = std::chrono::steady_clock;

    LoginThrottle(int max_failures, std::chrono::seconds window, std::size_t capacity = 100000);

    // False, counting nothing, when the user name or the address is locked out; otherwise
    // counts the attempt as a failure and returns true.
    bool begin_attempt(const std::string& user, const std::string& address, Clock::time_point now);
    // The password was right: the user name's failures are forgotten and this attempt is
    // taken back from the address's count.
    void succeeded(const std::string& user, const std::string& address);

    bool locked(const std::string& user, const std::string& address, Clock::time_point now) const;

  private:
    struct Record {
        int failures = 0;
        Clock::time_point window_start;
        Clock::time_point locked_until;  // epoch = not locked
    };
    using Table = std::unordered_map<std::string, Record>;

    bool is_locked(const Table& table, const std::string& key, Clock::time_point now) const;
    void count_failure(Table& table, const std::string& key, Clock::time_point now);
    void make_room(Table& table, Clock::time_point now);

    int max_failures_;
    std::chrono::seconds window_;
    std::size_t capacity_;
    Table users_;
    Table addresses_;
};

}  // namespace tandem::broker
