#include "util/Metrics.h"

#include <chrono>
#include <set>
#include <sstream>

namespace strata {

namespace {
std::int64_t nowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
std::string baseName(const std::string& series) {
  return series.substr(0, series.find('{'));
}
}  // namespace

void Metrics::add(const std::string& counter, std::uint64_t value) {
  std::lock_guard<std::mutex> lock(mutex_);
  counters_[counter] += value;
}

void Metrics::set(const std::string& gauge, std::int64_t value) {
  std::lock_guard<std::mutex> lock(mutex_);
  gauges_[gauge] = value;
}

void Metrics::observe(const std::string& name, const std::string& labels, double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& d = durations_[name + "{" + labels + "}"];
  d.first += seconds;
  d.second += 1;
}

std::string Metrics::render() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::ostringstream out;
  std::set<std::string> typed;
  for (const auto& [series, value] : counters_) {
    if (typed.insert(baseName(series)).second) out << "# TYPE " << baseName(series) << " counter\n";
    out << series << " " << value << "\n";
  }
  for (const auto& [series, value] : gauges_) {
    if (typed.insert(baseName(series)).second) out << "# TYPE " << baseName(series) << " gauge\n";
    out << series << " " << value << "\n";
  }
  for (const auto& [series, d] : durations_) {
    std::string name = baseName(series), labels = series.substr(name.size());
    if (typed.insert(name).second) out << "# TYPE " << name << "_seconds summary\n";
    out << name << "_seconds_sum" << labels << " " << d.first << "\n";
    out << name << "_seconds_count" << labels << " " << d.second << "\n";
  }
  return out.str();
}

PhaseTimer::PhaseTimer(Metrics* metrics, std::string phase)
    : metrics_(metrics), phase_(std::move(phase)), start_(nowNanos()) {}

PhaseTimer::~PhaseTimer() {
  if (metrics_)
    metrics_->observe("strata_build_phase", "phase=\"" + phase_ + "\"",
                      static_cast<double>(nowNanos() - start_) / 1e9);
}

}  // namespace strata
