#include "layers/PopularityStrategy.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <tuple>

#include "layers/Dominators.h"

namespace strata {
namespace {

struct Group {
  std::vector<std::string> paths;  // sorted
  unsigned __int128 rating = 0;
};

bool lowerRating(const Group& a, const Group& b) {
  // Ties are broken by content so that the plan does not depend on input order.
  return std::tie(a.rating, a.paths) < std::tie(b.rating, b.paths);
}

}  // namespace

sdk::LayerPlan PopularityStrategy::plan(const sdk::ClosureGraph& graph,
                                        std::uint32_t budget) noexcept {
  sdk::LayerPlan result;
  try {
    if (graph.paths.empty()) return result;
    if (budget == 0) {
      result.ok = false;
      result.error = "layer budget is 0";
      return result;
    }
    const std::size_t n = graph.paths.size();
    std::map<std::string, std::size_t> index;  // path -> node id (root is node n)
    for (std::size_t i = 0; i < n; ++i) index[graph.paths[i].path] = i;
    const std::size_t root = n;

    std::vector<std::vector<std::size_t>> succ(n + 1);
    auto addRootEdge = [&](std::size_t node) {
      if (std::find(succ[root].begin(), succ[root].end(), node) == succ[root].end())
        succ[root].push_back(node);
    };
    for (const auto& r : graph.roots) {
      auto it = index.find(r);
      if (it != index.end()) addRootEdge(it->second);
    }
    for (std::size_t i = 0; i < n; ++i) {
      const auto& sp = graph.paths[i];
      if (sp.narSize > kSizeThreshold || sp.popularity >= kPopularityThreshold) addRootEdge(i);
      for (const auto& ref : sp.references) {
        auto it = index.find(ref);
        if (it != index.end() && it->second != i) succ[i].push_back(it->second);
      }
    }
    auto idom = immediateDominators(succ, root);
    // Anything the roots do not reach (a malformed graph) becomes its own subtree.
    for (std::size_t i = 0; i < n; ++i)
      if (idom[i] == SIZE_MAX) idom[i] = root;

    std::vector<std::vector<std::size_t>> children(n + 1);
    for (std::size_t i = 0; i < n; ++i) children[idom[i]].push_back(i);

    std::vector<Group> groups;
    for (std::size_t top : children[root]) {
      Group g;
      std::uint64_t size = 0;
      std::vector<std::size_t> todo{top};
      while (!todo.empty()) {
        std::size_t node = todo.back();
        todo.pop_back();
        g.paths.push_back(graph.paths[node].path);
        size += graph.paths[node].narSize;
        todo.insert(todo.end(), children[node].begin(), children[node].end());
      }
      std::sort(g.paths.begin(), g.paths.end());
      g.rating = static_cast<unsigned __int128>(graph.paths[top].popularity + 1) * size;
      groups.push_back(std::move(g));
    }
    std::sort(groups.begin(), groups.end(), lowerRating);

    while (groups.size() > budget) {
      Group merged;
      merged.rating = groups[0].rating + groups[1].rating;
      std::merge(groups[0].paths.begin(), groups[0].paths.end(), groups[1].paths.begin(),
                 groups[1].paths.end(), std::back_inserter(merged.paths));
      groups.erase(groups.begin(), groups.begin() + 2);
      groups.insert(std::upper_bound(groups.begin(), groups.end(), merged, lowerRating),
                    std::move(merged));
    }
    for (auto& g : groups) result.layers.push_back(std::move(g.paths));
  } catch (const std::exception& e) {
    result = {};
    result.ok = false;
    result.error = e.what();
  }
  return result;
}

}  // namespace strata
