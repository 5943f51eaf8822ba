#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace strata {

/// Slows down password guessing: after failed logins for a user name or from a
/// client address, the next attempt for either waits base × 2^(failures-1),
/// at most `cap`, counted from the last failure. A success resets both
/// counters; a key forgets its failures `forget` after the last one.
class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  struct Params {
    std::chrono::milliseconds base{200};
    std::chrono::milliseconds cap{5000};
    std::chrono::seconds forget{900};
    std::size_t maxTracked = 100000;  ///< keys kept; beyond, expired ones are dropped
  };

  LoginThrottle() = default;
  explicit LoginThrottle(Params params) : params_(params) {}

  /// How long an attempt for (user, address) must wait at `now`.
  std::chrono::milliseconds delay(const std::string& user, const std::string& address,
                                  Clock::time_point now) const;
  void failed(const std::string& user, const std::string& address, Clock::time_point now);
  void succeeded(const std::string& user, const std::string& address);

  /// The wait after `failures` failures: 0, base, 2 base, 4 base, … ≤ cap.
  std::chrono::milliseconds backoff(unsigned failures) const;

 private:
  struct Entry {
    unsigned failures = 0;
    Clock::time_point last;
  };
  std::chrono::milliseconds delayOf(const std::string& key, Clock::time_point now) const;
  void prune(Clock::time_point now);

  Params params_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;  ///< "u:<user>" and "a:<address>"
};

}  // namespace strata
