#include "http/ConnectionGuard.h"

#include <algorithm>
#include <vector>

#include "util/Metrics.h"

namespace strata {

ConnectionGuard::ConnectionGuard(EdgeLimits limits, Metrics& metrics)
    : limits_(limits), metrics_(metrics), watchdog_([this] { watch(); }) {}

ConnectionGuard::~ConnectionGuard() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  watchdog_.join();
}

std::optional<std::uint64_t> ConnectionGuard::admit(const Poco::Net::StreamSocket& socket,
                                                    const std::string& client) {
  std::lock_guard lock(mutex_);
  int& held = perClient_[client];
  if (limits_.perClient > 0 && held >= limits_.perClient) {
    metrics_.add("strata_http_connections_refused_total");
    return std::nullopt;
  }
  ++held;
  std::uint64_t id = next_++;
  connections_.emplace(id, Connection{socket, client, Phase::Head, Clock::now()});
  metrics_.set("strata_http_connections_open", static_cast<std::int64_t>(connections_.size()));
  return id;
}

void ConnectionGuard::enter(std::uint64_t id, Phase phase) {
  std::lock_guard lock(mutex_);
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  it->second.phase = phase;
  it->second.since = Clock::now();
}

bool ConnectionGuard::timedOut(std::uint64_t id) const {
  std::lock_guard lock(mutex_);
  auto it = connections_.find(id);
  return it != connections_.end() && it->second.timedOut;
}

void ConnectionGuard::close(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  auto held = perClient_.find(it->second.client);
  if (held != perClient_.end() && --held->second <= 0) perClient_.erase(held);
  connections_.erase(it);
  metrics_.set("strata_http_connections_open", static_cast<std::int64_t>(connections_.size()));
}

void ConnectionGuard::drain() {
  {
    std::lock_guard lock(mutex_);
    draining_ = true;
  }
  sweep(Clock::now());
}

bool ConnectionGuard::draining() const {
  std::lock_guard lock(mutex_);
  return draining_;
}

void ConnectionGuard::abortAll() {
  std::lock_guard lock(mutex_);
  for (auto& [id, c] : connections_) {
    c.ended = true;
    try {
      c.socket.shutdown();
    } catch (...) {
      // Already closed by its peer: nothing left to end.
    }
  }
}

int ConnectionGuard::busy() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(std::count_if(connections_.begin(), connections_.end(),
                                        [](auto& e) { return e.second.phase == Phase::Busy; }));
}

int ConnectionGuard::openCount() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(connections_.size());
}

void ConnectionGuard::end(Connection& c) {
  c.ended = true;
  // Only the receiving side: the connection's thread wakes from its read
  // and may still answer (408 for a head that never completed).
  try {
    c.socket.shutdownReceive();
  } catch (...) {
    // Already closed by its peer: its thread is ending anyway.
  }
}

int ConnectionGuard::sweep(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  int ended = 0;
  int live = 0;
  const int pressure = std::max(1, limits_.maxConnections * 3 / 4);
  const bool pressed = std::count_if(connections_.begin(), connections_.end(),
                                     [](const auto& e) { return !e.second.ended; }) >= pressure;
  const auto head = pressed ? std::min(limits_.head, limits_.pressedHead) : limits_.head;
  std::vector<Connection*> idle;
  for (auto& [id, c] : connections_) {
    if (c.ended) continue;
    if (c.phase == Phase::Busy) {
      ++live;
      continue;
    }
    bool late = now - c.since >= (c.phase == Phase::Head ? head : limits_.idle);
    if (draining_ || late) {
      if (c.phase == Phase::Head && !draining_) {
        c.timedOut = true;
        metrics_.add("strata_http_head_timeouts_total");
      }
      end(c);
      ++ended;
      continue;
    }
    ++live;
    if (c.phase == Phase::Idle) idle.push_back(&c);
  }
  if (live >= pressure) {
    std::sort(idle.begin(), idle.end(),
              [](const Connection* a, const Connection* b) { return a->since < b->since; });
    for (Connection* c : idle) {
      if (live < pressure) break;
      end(*c);
      metrics_.add("strata_http_idle_closed_total");
      --live;
      ++ended;
    }
  }
  return ended;
}

void ConnectionGuard::watch() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, std::chrono::milliseconds(200));
    if (stop_) break;
    lock.unlock();
    sweep(Clock::now());
    lock.lock();
  }
}

}  // namespace strata
