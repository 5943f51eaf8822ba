#include "auth/LoginThrottle.h"

#include <algorithm>

namespace strata {

std::chrono::milliseconds LoginThrottle::backoff(unsigned failures) const {
  if (failures == 0) return std::chrono::milliseconds(0);
  auto d = params_.base;
  for (unsigned i = 1; i < failures && d < params_.cap; ++i) d *= 2;
  return std::min(d, params_.cap);
}

std::chrono::milliseconds LoginThrottle::delayOf(const std::string& key,
                                                 Clock::time_point now) const {
  auto it = entries_.find(key);
  if (it == entries_.end() || now - it->second.last > params_.forget)
    return std::chrono::milliseconds(0);
  auto until = it->second.last + backoff(it->second.failures);
  if (until <= now) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(until - now) +
         std::chrono::milliseconds(1);
}

std::chrono::milliseconds LoginThrottle::delay(const std::string& user, const std::string& address,
                                               Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  return std::max(delayOf("u:" + user, now), delayOf("a:" + address, now));
}

void LoginThrottle::failed(const std::string& user, const std::string& address,
                           Clock::time_point now) {
  std::lock_guard lock(mutex_);
  for (const auto& key : {"u:" + user, "a:" + address}) {
    Entry& e = entries_[key];
    if (e.failures > 0 && now - e.last > params_.forget) e.failures = 0;
    if (e.failures < 64) ++e.failures;
    e.last = now;
  }
  if (entries_.size() > params_.maxTracked) prune(now);
}

void LoginThrottle::succeeded(const std::string& user, const std::string& address) {
  std::lock_guard lock(mutex_);
  entries_.erase("u:" + user);
  entries_.erase("a:" + address);
}

void LoginThrottle::prune(Clock::time_point now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (now - it->second.last > params_.forget)
      it = entries_.erase(it);
    else
      ++it;
  }
  // Still too many (a flood of distinct names): forget the lot rather than
  // grow without bound; the per-address counter of the flooding client is
  // rebuilt by its next failures.
  if (entries_.size() > params_.maxTracked) entries_.clear();
}

}  // namespace strata
