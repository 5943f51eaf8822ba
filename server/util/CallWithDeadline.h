#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

namespace strata {

/// Calls still running after their caller gave up on them (see below).
inline std::atomic<int>& abandonedCalls() {
  static std::atomic<int> count{0};
  return count;
}

/// At most this many abandoned calls run at once; past it, callWithDeadline
/// refuses at once rather than leave yet another thread behind.
inline constexpr int kMaxAbandonedCalls = 16;

/// "10 s", or "200 ms" below a second: for messages naming a deadline.
inline std::string describeLimit(std::chrono::milliseconds limit) {
  return limit.count() % 1000 == 0 ? std::to_string(limit.count() / 1000) + " s"
                                   : std::to_string(limit.count()) + " ms";
}

/// Runs `fn` (which owns everything it uses: it may outlive the caller) on a
/// thread of its own and waits at most `limit` for its result. Code of a
/// plugin cannot be interrupted, so a call that does not return in time is
/// left running: its thread ends when the call does, its result is dropped,
/// and the caller gets nullopt. So does every call while kMaxAbandonedCalls
/// are still running. `fn` must not throw (plugin calls are noexcept).
template <typename Fn>
auto callWithDeadline(Fn fn, std::chrono::milliseconds limit) -> std::optional<decltype(fn())> {
  using Result = decltype(fn());
  if (abandonedCalls().load() >= kMaxAbandonedCalls) return std::nullopt;
  struct Shared {
    std::mutex mutex;
    std::condition_variable done;
    std::optional<Result> result;
    bool abandoned = false;
  };
  auto shared = std::make_shared<Shared>();
  std::thread([shared, fn = std::move(fn)]() mutable {
    Result r = fn();
    std::lock_guard lock(shared->mutex);
    shared->result.emplace(std::move(r));
    if (shared->abandoned) abandonedCalls().fetch_sub(1);
    shared->done.notify_all();
  }).detach();
  std::unique_lock lock(shared->mutex);
  if (shared->done.wait_for(lock, limit, [&] { return shared->result.has_value(); }))
    return std::move(shared->result);
  shared->abandoned = true;
  abandonedCalls().fetch_add(1);
  return std::nullopt;
}

}  // namespace strata
