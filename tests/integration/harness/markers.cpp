#include "harness/markers.hpp"

#include <random>

namespace tandem::test {

std::string unique_marker(const std::string& prefix) {
    static std::mt19937_64 rng{std::random_device{}()};
    return prefix + "-" + std::to_string(rng() % 1000000000ULL);
}

std::string print_command(const std::string& marker) {
    return "echo " + marker.substr(0, 1) + "''" + marker.substr(1);
}

}  // namespace tandem::test
