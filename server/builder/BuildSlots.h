#pragma once

#include <condition_variable>
#include <mutex>

namespace strata {

/// Bounds concurrent builds: at most `maxRunning` at once, at most `maxQueued`
/// waiting for a turn; beyond that acquire() throws Error(Busy), which clients
/// see as 429 TOOMANYREQUESTS with Retry-After.
class BuildSlots {
 public:
  BuildSlots(int maxRunning, int maxQueued) : maxRunning_(maxRunning), maxQueued_(maxQueued) {}

  void acquire();
  void release();
  int running() const;
  int queued() const;

  /// Holds a slot for a scope.
  class Lease {
   public:
    explicit Lease(BuildSlots& slots) : slots_(slots) { slots_.acquire(); }
    ~Lease() { slots_.release(); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

   private:
    BuildSlots& slots_;
  };

 private:
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  int maxRunning_;
  int maxQueued_;
  int running_ = 0;
  int queued_ = 0;
};

}  // namespace strata
