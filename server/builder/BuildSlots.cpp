#include "builder/BuildSlots.h"

#include <string>

#include "util/Error.h"

namespace strata {

void BuildSlots::acquire() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (running_ < maxRunning_) {
    ++running_;
    return;
  }
  if (queued_ >= maxQueued_)
    throw Error(ErrorKind::Busy, "too many builds: " + std::to_string(running_) + " running and " +
                                     std::to_string(queued_) + " waiting; retry later");
  ++queued_;
  freed_.wait(lock, [this] { return running_ < maxRunning_; });
  --queued_;
  ++running_;
}

void BuildSlots::release() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    --running_;
  }
  freed_.notify_one();
}

int BuildSlots::running() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return running_;
}

int BuildSlots::queued() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queued_;
}

}  // namespace strata
