#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace strata {

/// Counters, gauges and duration sums exposed at /metrics in the Prometheus
/// text format. Names carry their labels: `metrics.add("strata_builds_total{result=\"ok\"}")`.
class Metrics {
 public:
  void add(const std::string& counter, std::uint64_t value = 1);
  void set(const std::string& gauge, std::int64_t value);
  /// Adds one observation to `<name>_seconds_sum` and `<name>_seconds_count`.
  void observe(const std::string& name, const std::string& labels, double seconds);
  std::string render() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t> counters_;
  std::map<std::string, std::int64_t> gauges_;
  std::map<std::string, std::pair<double, std::uint64_t>> durations_;  // name{labels} -> sum, count
};

/// Measures a scope into Metrics::observe.
class PhaseTimer {
 public:
  PhaseTimer(Metrics* metrics, std::string phase);
  ~PhaseTimer();

 private:
  Metrics* metrics_;
  std::string phase_;
  std::int64_t start_;
};

}  // namespace strata
