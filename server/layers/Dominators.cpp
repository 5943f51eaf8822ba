#include "layers/Dominators.h"

#include <cstdint>
#include <utility>

namespace strata {

std::vector<std::size_t> immediateDominators(
    const std::vector<std::vector<std::size_t>>& successors, std::size_t root) {
  constexpr std::size_t kNone = SIZE_MAX;
  const std::size_t n = successors.size();

  // Reverse post-order by an explicit-stack depth-first search (closures can be
  // deep enough to overflow the call stack).
  std::vector<std::size_t> postIndex(n, kNone);
  std::vector<std::size_t> order;  // post-order
  std::vector<bool> seen(n, false);
  std::vector<std::pair<std::size_t, std::size_t>> stack{{root, 0}};
  seen[root] = true;
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < successors[node].size()) {
      std::size_t child = successors[node][next++];
      if (!seen[child]) {
        seen[child] = true;
        stack.emplace_back(child, 0);
      }
    } else {
      postIndex[node] = order.size();
      order.push_back(node);
      stack.pop_back();
    }
  }

  std::vector<std::vector<std::size_t>> predecessors(n);
  for (std::size_t u = 0; u < n; ++u)
    if (seen[u])
      for (std::size_t v : successors[u]) predecessors[v].push_back(u);

  std::vector<std::size_t> idom(n, kNone);
  idom[root] = root;
  auto intersect = [&](std::size_t a, std::size_t b) {
    while (a != b) {
      while (postIndex[a] < postIndex[b]) a = idom[a];
      while (postIndex[b] < postIndex[a]) b = idom[b];
    }
    return a;
  };
  bool changed = true;
  while (changed) {
    changed = false;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      std::size_t node = *it;
      if (node == root) continue;
      std::size_t newIdom = kNone;
      for (std::size_t p : predecessors[node]) {
        if (idom[p] == kNone) continue;
        newIdom = newIdom == kNone ? p : intersect(p, newIdom);
      }
      if (newIdom != idom[node]) {
        idom[node] = newIdom;
        changed = true;
      }
    }
  }
  return idom;
}

}  // namespace strata
