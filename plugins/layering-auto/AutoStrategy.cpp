// Plugin layering-auto: the strategy `auto`, after the auto-layer algorithm of
// nixpkgs' dockerTools. The largest store paths (by NAR size) become layer
// roots, one at a time, largest first. Every other path is grouped by the set
// of roots that depend on it, counting only the nearest ones: when root A
// depends on root B and both reach a path, the path goes with B (whatever uses
// A uses B too). A path only one root reaches shares that root's layer; paths
// several roots share get one layer per distinct set of roots; paths no root
// reaches (the small top of the image) share one layer. Roots are added until
// the next one would need more layers than the budget.
//
// Why it re-downloads little: a change to one package changes the store paths
// of that package and of everything depending on it. The roots are chosen by
// size and the groups by graph shape, neither of which the change touches, so
// every layer without a changed path keeps exactly its paths (and its digest).
#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "strata/sdk/json.h"
#include "strata/sdk/plugin.h"

namespace {

using namespace strata::sdk;

using Key = std::vector<std::uint32_t>;  // root numbers, ascending

class AutoStrategy final : public LayeringStrategy {
 public:
  LayerPlan plan(const ClosureGraph& graph, std::uint32_t budget) noexcept override {
    return guardPlan([&] { return layersFor(graph, budget); });
  }

 private:
  static std::vector<Layer> layersFor(const ClosureGraph& graph, std::uint32_t budget) {
    std::vector<Layer> out;
    const std::size_t n = graph.paths.size();
    if (n == 0) return out;
    if (budget == 0) throw std::runtime_error("layer budget is 0");

    std::unordered_map<std::string, std::uint32_t> index;
    index.reserve(n);
    for (std::size_t i = 0; i < n; ++i) index.emplace(graph.paths[i].path, i);
    std::vector<std::vector<std::uint32_t>> refs(n), users(n);
    for (std::uint32_t i = 0; i < n; ++i)
      for (const auto& r : graph.paths[i].references) {
        auto it = index.find(r);
        if (it != index.end() && it->second != i) {
          refs[i].push_back(it->second);
          users[it->second].push_back(i);
        }
      }

    // Largest first; ties by path, so that the plan never depends on input order.
    std::vector<std::uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      if (graph.paths[a].narSize != graph.paths[b].narSize)
        return graph.paths[a].narSize > graph.paths[b].narSize;
      return graph.paths[a].path < graph.paths[b].path;
    });

    // Everything reachable from `start` along `edges`, without `start`.
    std::vector<std::uint32_t> mark(n, 0);
    std::uint32_t markNow = 0;
    auto reach = [&](std::uint32_t start, const std::vector<std::vector<std::uint32_t>>& edges) {
      std::vector<std::uint32_t> found, todo(edges[start].begin(), edges[start].end());
      ++markNow;
      mark[start] = markNow;
      while (!todo.empty()) {
        std::uint32_t p = todo.back();
        todo.pop_back();
        if (mark[p] == markNow) continue;
        mark[p] = markNow;
        found.push_back(p);
        todo.insert(todo.end(), edges[p].begin(), edges[p].end());
      }
      return found;
    };

    // key[p]: the nearest roots depending on p; a root's key is itself. The
    // number of layers is the number of distinct keys (the empty one included).
    std::vector<Key> key(n);
    std::map<Key, std::size_t> layers{{Key{}, n}};
    auto setKey = [&](std::uint32_t p, Key k) {
      if (--layers[key[p]] == 0) layers.erase(key[p]);
      ++layers[k];
      key[p] = std::move(k);
    };
    std::vector<std::int64_t> rootOf(n, -1);  // root number of a path, or -1
    std::vector<std::uint32_t> inDeps(n, 0), inUsers(n, 0);
    for (std::uint32_t k = 0; k < n; ++k) {
      const std::uint32_t root = order[k];
      std::vector<std::pair<std::uint32_t, Key>> undo{{root, key[root]}};
      auto deps = reach(root, refs);
      auto usersOfRoot = reach(root, users);
      for (auto d : deps) inDeps[d] = k + 1;
      for (auto u : usersOfRoot) inUsers[u] = k + 1;
      setKey(root, Key{k});
      for (auto d : deps) {
        Key next;
        bool coveredBelow = false;  // a root inside the new root's closure already holds it
        for (auto r : key[d]) {
          std::uint32_t rp = order[r];
          if (inUsers[rp] == k + 1) continue;  // it reaches d through the new root
          if (inDeps[rp] == k + 1) coveredBelow = true;
          next.push_back(r);
        }
        if (!coveredBelow) next.push_back(k);  // k is the largest number so far: stays sorted
        if (next != key[d]) {
          undo.push_back({d, key[d]});
          setKey(d, std::move(next));
        }
      }
      if (layers.size() > budget) {
        // One root too many: go back to the previous grouping, which fitted.
        for (auto it = undo.rbegin(); it != undo.rend(); ++it) setKey(it->first, it->second);
        break;
      }
      rootOf[root] = k;
    }

    std::map<Key, Layer> grouped;
    for (std::uint32_t p = 0; p < n; ++p) grouped[key[p]].push_back(graph.paths[p].path);
    for (auto& [k, l] : grouped) {
      std::sort(l.begin(), l.end());
      out.push_back(std::move(l));
    }
    return out;
  }
};

void registerPlugin(Registrar& registrar, const std::string& configJson) {
  json::parse(configJson).requireOnly({}, "plugins.config.layering-auto");
  registrar.addLayeringStrategy("auto", new AutoStrategy());
}

}  // namespace

STRATA_PLUGIN(registerPlugin)
