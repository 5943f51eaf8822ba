#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "strata/sdk/layering.h"

namespace strata {

/// Layering strategies by name. The built-in ones and those of loaded plugins
/// register the same way; a repeated name is an error.
class StrategyRegistry {
 public:
  struct Entry {
    std::shared_ptr<sdk::LayeringStrategy> strategy;
    std::string origin;  ///< "built-in" or the plugin's name
  };

  void add(const std::string& name, std::shared_ptr<sdk::LayeringStrategy> strategy,
           const std::string& origin);
  /// Throws std::invalid_argument naming the known strategies.
  const Entry& get(const std::string& name) const;
  bool has(const std::string& name) const { return entries_.count(name) > 0; }
  std::vector<std::string> names() const;

 private:
  std::map<std::string, Entry> entries_;
};

/// Runs a strategy and checks its answer: every path of the closure in exactly
/// one layer, no path from outside it, no empty layer, at most `budget` layers.
/// Throws strata::Error(Internal) naming the strategy and what is wrong, also
/// when it does not answer within `deadline` (the call is left to end on its
/// own thread: a plugin cannot be interrupted).
std::vector<sdk::Layer> planLayers(const StrategyRegistry::Entry& entry, const std::string& name,
                                   const sdk::ClosureGraph& graph, std::uint32_t budget,
                                   std::chrono::milliseconds deadline = std::chrono::seconds(10));

/// Popularity of store path names ("glibc-2.37-8", without store folder and
/// hash), as a JSON object {"name": count}. Paths it does not name get the
/// number of closure paths that depend on them, directly or not.
class PopularityData {
 public:
  PopularityData() = default;
  static PopularityData load(const std::string& file);  ///< throws std::runtime_error
  void apply(sdk::ClosureGraph& graph) const;

 private:
  std::map<std::string, std::uint64_t> counts_;
};

}  // namespace strata
