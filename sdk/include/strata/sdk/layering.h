#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "strata/sdk/closure.h"

namespace strata::sdk {

/// A layer is the list of store paths it holds.
using Layer = std::vector<std::string>;

/// What a strategy answers. On failure `error` says why and `layers` is ignored.
struct LayerPlan {
  bool ok = true;
  std::string error;
  std::vector<Layer> layers;
};

/// Groups a closure into layers. The host checks the answer: every path of the
/// closure in exactly one layer, no path from outside, at most `budget` layers.
class LayeringStrategy {
 public:
  virtual ~LayeringStrategy() = default;
  /// Must not throw: exceptions do not cross the plugin boundary.
  virtual LayerPlan plan(const ClosureGraph& graph, std::uint32_t budget) noexcept = 0;
};

}  // namespace strata::sdk
