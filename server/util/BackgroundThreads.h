#pragma once

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

namespace strata {

/// Work that outlives the call that started it (builds ahead of a pull), on
/// threads this object owns: no thread is detached, finished ones are joined
/// when the next one starts, and the destructor waits for all of them.
class BackgroundThreads {
 public:
  BackgroundThreads() = default;
  BackgroundThreads(const BackgroundThreads&) = delete;
  BackgroundThreads& operator=(const BackgroundThreads&) = delete;
  ~BackgroundThreads() { joinAll(); }

  /// Runs `work` on a new thread; exceptions it lets out are dropped (the
  /// work reports its own failures). Throws (std::system_error, bad_alloc)
  /// when no thread can be started; then nothing runs.
  void start(std::function<void()> work) {
    std::lock_guard<std::mutex> lock(mutex_);
    reapFinished();
    // The entry exists before its thread: nothing can fail between starting
    // a thread and holding it.
    auto done = std::make_shared<std::atomic<bool>>(false);
    threads_.push_back({std::thread(), done});
    try {
      threads_.back().thread = std::thread([work = std::move(work), done] {
        try {
          work();
        } catch (...) {
        }
        done->store(true);
      });
    } catch (...) {
      threads_.pop_back();
      throw;
    }
  }

  void joinAll() {
    std::list<Entry> all;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      all.swap(threads_);
    }
    for (auto& e : all) e.thread.join();
  }

  /// Threads held: running, or finished and not joined yet.
  std::size_t held() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return threads_.size();
  }

  std::size_t running() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::size_t n = 0;
    for (const auto& e : threads_) n += e.done->load() ? 0 : 1;
    return n;
  }

 private:
  struct Entry {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  void reapFinished() {
    for (auto it = threads_.begin(); it != threads_.end();) {
      if (it->done->load()) {
        it->thread.join();
        it = threads_.erase(it);
      } else {
        ++it;
      }
    }
  }

  mutable std::mutex mutex_;
  std::list<Entry> threads_;
};

}  // namespace strata
