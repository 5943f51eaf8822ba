#pragma once

#include "strata/sdk/layering.h"

namespace strata {

/// Nixery's layering: the dominator tree of the reference graph (with a
/// virtual root above the requested packages) is cut below the root, so each
/// subtree becomes a layer; paths that are big (over 100 MB) or popular (used
/// by 100 or more packages) hang directly off the root and get layers of their
/// own. While there are more layers than the budget, the two layers with the
/// lowest merge rating ((popularity + 1) × size) are merged.
class PopularityStrategy : public sdk::LayeringStrategy {
 public:
  static constexpr std::uint64_t kSizeThreshold = 100ull * 1000 * 1000;
  static constexpr std::uint64_t kPopularityThreshold = 100;

  sdk::LayerPlan plan(const sdk::ClosureGraph& graph, std::uint32_t budget) noexcept override;
};

}  // namespace strata
