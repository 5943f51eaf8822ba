#pragma once

#include <cstddef>
#include <vector>

namespace strata {

/// Immediate dominators of a directed graph given as adjacency lists, computed
/// from node `root` with the iterative algorithm of Cooper, Harvey and Kennedy
/// ("A Simple, Fast Dominance Algorithm"). Result[i] is the immediate dominator
/// of i; result[root] == root; nodes unreachable from root get SIZE_MAX.
std::vector<std::size_t> immediateDominators(
    const std::vector<std::vector<std::size_t>>& successors, std::size_t root);

}  // namespace strata
