#include "util/TaskPool.h"

#include <algorithm>

namespace strata {

TaskPool::TaskPool(unsigned threads) {
  for (unsigned i = 0; i < std::max(1u, threads); ++i)
    workers_.emplace_back([this] {
      for (;;) {
        std::function<void()> job;
        {
          std::unique_lock<std::mutex> lock(mutex_);
          ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
          if (queue_.empty()) return;  // stopping and drained
          job = std::move(queue_.front());
          queue_.pop_front();
        }
        job();  // packaged_task keeps exceptions in its future
      }
    });
}

TaskPool::~TaskPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& w : workers_) w.join();
}

TaskPool& TaskPool::shared() {
  static TaskPool pool(std::max(1u, std::thread::hardware_concurrency()));
  return pool;
}

}  // namespace strata
