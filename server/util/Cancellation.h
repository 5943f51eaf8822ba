#pragma once

#include <atomic>

namespace strata {

/// Set once, when the server stops: long work (Nix, waits for another
/// replica's build) checks it and ends early, so that a drain ends within
/// its limit instead of waiting for builds that may run for minutes.
class Cancellation {
 public:
  void cancel() noexcept { flag_.store(true); }
  bool cancelled() const noexcept { return flag_.load(); }

 private:
  std::atomic<bool> flag_{false};
};

}  // namespace strata
