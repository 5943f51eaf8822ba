#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "util/MemoryBytes.h"

namespace strata {

/// A budget in bytes of memory (see BoundedCache's second constructor).
struct MemoryBudget {
  std::size_t bytes;
};

/// A thread-safe least-recently-used cache with a fixed budget. Each value
/// costs `cost(value)` units (1 by default); inserting past the budget evicts
/// the least recently used entries first, so memory stays bounded however
/// many distinct keys pass through. With a MemoryBudget, units are bytes: an
/// entry costs its nodes, its key (held twice) and the heap bytes of its
/// value. Used for facts that are cheap to look up
/// again (the database or the store still has them): a miss is never wrong.
template <typename Key, typename Value, typename Hash = std::hash<Key>>
class BoundedCache {
 public:
  using CostFn = std::function<std::size_t(const Value&)>;

  explicit BoundedCache(std::size_t budget, CostFn cost = {})
      : budget_(budget), cost_(std::move(cost)) {}
  /// `valueHeapBytes`: the bytes a value owns beyond its own object
  /// (heapBytes(), MemoryBytes.h).
  BoundedCache(MemoryBudget budget, CostFn valueHeapBytes)
      : budget_(budget.bytes), cost_(std::move(valueHeapBytes)), inBytes_(true) {}
  BoundedCache(const BoundedCache&) = delete;
  BoundedCache& operator=(const BoundedCache&) = delete;

  /// The value, marked as most recently used; nullopt when absent.
  std::optional<Value> get(const Key& key) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = index_.find(key);
    if (it == index_.end()) return std::nullopt;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->value;
  }

  bool contains(const Key& key) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return index_.count(key) > 0;
  }

  /// Inserts or replaces. A value costing more than the whole budget is not kept.
  void put(const Key& key, Value value) {
    std::size_t c = costOf(key, value);
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = index_.find(key); it != index_.end()) {
      used_ -= it->second->cost;
      order_.erase(it->second);
      index_.erase(it);
    }
    if (c > budget_) return;
    order_.push_front(Entry{key, std::move(value), c});
    index_.emplace(key, order_.begin());
    used_ += c;
    while (used_ > budget_) {
      auto& last = order_.back();
      used_ -= last.cost;
      index_.erase(last.key);
      order_.pop_back();
    }
  }

  void erase(const Key& key) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = index_.find(key); it != index_.end()) {
      used_ -= it->second->cost;
      order_.erase(it->second);
      index_.erase(it);
    }
  }

  std::size_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return index_.size();
  }
  /// Units in use (entries when every value costs 1).
  std::size_t used() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return used_;
  }
  std::size_t budget() const { return budget_; }

 private:
  struct Entry {
    Key key;
    Value value;
    std::size_t cost;
  };
  /// A list node (two links), an index node (key, iterator, link, cached
  /// hash) and its bucket pointer.
  static constexpr std::size_t kEntryBytes = sizeof(Entry) + 2 * sizeof(void*) + sizeof(Key) +
                                             sizeof(typename std::list<Entry>::iterator) +
                                             3 * sizeof(void*);
  std::size_t costOf(const Key& k, const Value& v) const {
    if (inBytes_) return kEntryBytes + 2 * heapBytes(k) + cost_(v);
    return cost_ ? cost_(v) : 1;
  }

  const std::size_t budget_;
  const CostFn cost_;
  const bool inBytes_ = false;
  mutable std::mutex mutex_;
  std::list<Entry> order_;  ///< most recently used first
  std::unordered_map<Key, typename std::list<Entry>::iterator, Hash> index_;
  std::size_t used_ = 0;
};

/// Hash of a pair of strings, for caches keyed by (name, digest) and alike.
struct StringPairHash {
  std::size_t operator()(const std::pair<std::string, std::string>& p) const {
    std::size_t a = std::hash<std::string>()(p.first), b = std::hash<std::string>()(p.second);
    return a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
  }
};

}  // namespace strata
