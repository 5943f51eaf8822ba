#include "layers/ClosureStrategy.h"

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <queue>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "strata/sdk/plugin.h"

namespace strata {
namespace {

using Cost = unsigned __int128;
using Words = std::vector<std::uint64_t>;

/// Closures as bit sets, one row of `words` words per path.
struct Closures {
  std::size_t words = 0;
  std::vector<std::uint64_t> bits;
  std::uint64_t* row(std::size_t i) { return bits.data() + i * words; }
  const std::uint64_t* row(std::size_t i) const { return bits.data() + i * words; }
};

/// Bits set in x. Inline arithmetic: without -mpopcnt std::popcount is a
/// call into libgcc, which dominated planning time.
inline std::size_t bitsIn(std::uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ull);
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
  return static_cast<std::size_t>((x * 0x0101010101010101ull) >> 56);
}

std::size_t countBits(const std::uint64_t* a, std::size_t words) {
  std::size_t n = 0;
  for (std::size_t w = 0; w < words; ++w) n += bitsIn(a[w]);
  return n;
}

/// |a & b|
std::size_t countAnd(const std::uint64_t* a, const std::uint64_t* b, std::size_t words) {
  std::size_t n = 0;
  for (std::size_t w = 0; w < words; ++w) n += bitsIn(a[w] & b[w]);
  return n;
}

bool hasBit(const std::uint64_t* a, std::size_t i) {
  return (a[i / 64] >> (i % 64)) & 1u;
}

/// Closure of every path (itself included), by a depth-first walk in path
/// order. Nix closures have no cycles; in a malformed graph a back edge is
/// ignored.
Closures closuresOf(const std::vector<std::vector<std::size_t>>& refs) {
  const std::size_t n = refs.size();
  Closures c;
  c.words = (n + 63) / 64;
  c.bits.assign(n * c.words, 0);
  std::vector<std::uint8_t> state(n, 0);  // 0 new, 1 on the stack, 2 done
  std::vector<std::pair<std::size_t, std::size_t>> stack;
  for (std::size_t start = 0; start < n; ++start) {
    if (state[start]) continue;
    state[start] = 1;
    stack.push_back({start, 0});
    while (!stack.empty()) {
      const std::size_t v = stack.back().first;
      const std::size_t k = stack.back().second;
      if (k < refs[v].size()) {
        ++stack.back().second;
        const std::size_t r = refs[v][k];
        if (state[r] == 0) {
          state[r] = 1;
          stack.push_back({r, 0});
        }
        continue;
      }
      std::uint64_t* row = c.row(v);
      row[v / 64] |= std::uint64_t{1} << (v % 64);
      for (std::size_t r : refs[v])
        if (state[r] == 2) {
          const std::uint64_t* other = c.row(r);
          for (std::size_t w = 0; w < c.words; ++w) row[w] |= other[w];
        }
      state[v] = 2;
      stack.pop_back();
    }
  }
  return c;
}

/// The first groups: one per path when the closure is small; otherwise paths
/// holding the same set of the `t` most depended-on paths share a group, `t`
/// the largest power of two giving at most `limit` groups.
std::vector<std::vector<std::size_t>> startGroups(const Closures& c, std::size_t n,
                                                  std::size_t limit) {
  std::vector<std::vector<std::size_t>> groups;
  if (n <= limit) {
    for (std::size_t i = 0; i < n; ++i) groups.push_back({i});
    return groups;
  }
  std::vector<std::size_t> dependents(n, 0);
  for (std::size_t p = 0; p < n; ++p)
    for (std::size_t w = 0; w < c.words; ++w)
      for (std::uint64_t bits = c.row(p)[w]; bits != 0; bits &= bits - 1)
        ++dependents[w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits))];
  std::vector<std::size_t> byDependents(n);
  std::iota(byDependents.begin(), byDependents.end(), 0);
  std::stable_sort(byDependents.begin(), byDependents.end(),
                   [&](std::size_t a, std::size_t b) { return dependents[a] > dependents[b]; });
  for (std::size_t t = 1024; t >= 1; t /= 2) {
    const std::size_t roots = std::min(t, n);
    std::map<Words, std::vector<std::size_t>> byKey;
    for (std::size_t p = 0; p < n; ++p) {
      Words key((roots + 63) / 64, 0);
      for (std::size_t k = 0; k < roots; ++k)
        if (hasBit(c.row(p), byDependents[k])) key[k / 64] |= std::uint64_t{1} << (k % 64);
      byKey[key].push_back(p);
    }
    if (byKey.size() <= limit || t == 1) {
      for (auto& [key, members] : byKey) groups.push_back(std::move(members));
      break;
    }
  }
  return groups;
}

struct Group {
  std::vector<std::size_t> members;
  Cost size = 0;
  Words closure;
  std::size_t count = 0;  // paths in the closure
  bool alive = true;
};

/// A possible merge. The added cost is kept in 64 bits for a small heap entry;
/// the (astronomical) costs past that saturate and compare by group numbers.
struct Candidate {
  std::uint64_t delta;
  std::uint32_t a, b;  // group numbers, a < b
  bool operator>(const Candidate& o) const {
    return std::tie(delta, a, b) > std::tie(o.delta, o.a, o.b);
  }
};

Cost mergeDelta(const Group& a, const Group& b, std::size_t words) {
  const std::size_t common = countAnd(a.closure.data(), b.closure.data(), words);
  return a.size * (b.count - common) + b.size * (a.count - common);
}

Candidate candidate(const std::vector<Group>& groups, std::size_t a, std::size_t b,
                    std::size_t words) {
  const Cost delta = mergeDelta(groups[a], groups[b], words);
  const Cost most = std::numeric_limits<std::uint64_t>::max();
  return {static_cast<std::uint64_t>(std::min(delta, most)), static_cast<std::uint32_t>(a),
          static_cast<std::uint32_t>(b)};
}

std::vector<sdk::Layer> layersFor(const sdk::ClosureGraph& graph, std::uint32_t budget) {
  std::vector<sdk::Layer> out;
  if (graph.paths.empty()) return out;
  if (budget == 0) throw std::runtime_error("layer budget is 0");

  // Paths numbered in path order, so that nothing depends on input order.
  std::vector<const sdk::StorePath*> paths;
  for (const auto& p : graph.paths) paths.push_back(&p);
  std::sort(paths.begin(), paths.end(),
            [](const auto* a, const auto* b) { return a->path < b->path; });
  paths.erase(std::unique(paths.begin(), paths.end(),
                          [](const auto* a, const auto* b) { return a->path == b->path; }),
              paths.end());
  const std::size_t n = paths.size();
  std::unordered_map<std::string, std::size_t> index;
  index.reserve(n);
  for (std::size_t i = 0; i < n; ++i) index.emplace(paths[i]->path, i);
  std::vector<std::vector<std::size_t>> refs(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (const auto& r : paths[i]->references) {
      auto it = index.find(r);
      if (it != index.end() && it->second != i) refs[i].push_back(it->second);
    }
    std::sort(refs[i].begin(), refs[i].end());
  }
  const Closures closures = closuresOf(refs);
  const std::size_t words = closures.words;

  Cost minimum = 0;  // one layer per path
  for (std::size_t i = 0; i < n; ++i)
    minimum += Cost{paths[i]->narSize} * countBits(closures.row(i), words);

  std::vector<Group> groups;
  Cost cost = 0;
  for (auto& members : startGroups(closures, n, ClosureStrategy::kMaxStartGroups)) {
    Group g;
    g.closure.assign(words, 0);
    for (std::size_t p : members) {
      g.size += paths[p]->narSize;
      const std::uint64_t* row = closures.row(p);
      for (std::size_t w = 0; w < words; ++w) g.closure[w] |= row[w];
    }
    g.count = countBits(g.closure.data(), words);
    g.members = std::move(members);
    cost += g.size * g.count;
    groups.push_back(std::move(g));
  }

  // Each group keeps its cheapest partner among the groups numbered after it
  // (ties: the lowest number); the queue orders groups by that merge, so its
  // top is the cheapest pair (ties by numbers). When a partner is merged away
  // the stored cost is a lower bound of the group's new cheapest merge (the
  // merged group was offered to it), so it is recomputed only when it reaches
  // the top.
  std::vector<Candidate> nearest(groups.size());
  std::vector<bool> hasNearest(groups.size(), false);
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> queue;
  auto findNearest = [&](std::size_t g) {
    bool found = false;
    for (std::size_t h = g + 1; h < groups.size(); ++h) {
      if (!groups[h].alive) continue;
      Candidate c = candidate(groups, g, h, words);
      if (!found || c.delta < nearest[g].delta) nearest[g] = c;
      found = true;
    }
    hasNearest[g] = found;
    if (found) queue.push(nearest[g]);
  };
  for (std::size_t g = 0; g < groups.size(); ++g) findNearest(g);

  // Within the slack: cost <= minimum * kCostSlackPercent / 100, in integers.
  std::size_t alive = groups.size();
  while (alive > 1 && !queue.empty()) {
    const Candidate top = queue.top();
    const Candidate& now = nearest[top.a];
    if (!groups[top.a].alive || now.b != top.b || now.delta != top.delta) {
      queue.pop();  // superseded
      continue;
    }
    if (!groups[top.b].alive) {
      queue.pop();
      findNearest(top.a);
      continue;
    }
    const Cost delta = mergeDelta(groups[top.a], groups[top.b], words);
    if (alive <= budget && (cost + delta) * 100 > minimum * ClosureStrategy::kCostSlackPercent)
      break;
    queue.pop();
    Group merged;
    Group& a = groups[top.a];
    Group& b = groups[top.b];
    merged.size = a.size + b.size;
    merged.closure = a.closure;
    for (std::size_t w = 0; w < words; ++w) merged.closure[w] |= b.closure[w];
    merged.count = countBits(merged.closure.data(), words);
    merged.members = std::move(a.members);
    merged.members.insert(merged.members.end(), b.members.begin(), b.members.end());
    a.alive = b.alive = false;
    a.closure.clear();
    b.closure.clear();
    cost += delta;
    --alive;
    const std::size_t m = groups.size();
    groups.push_back(std::move(merged));
    nearest.push_back({});
    hasNearest.push_back(false);
    for (std::size_t g = 0; g < m; ++g) {
      if (!groups[g].alive) continue;
      // m is numbered after every partner so far: it wins only when cheaper.
      // When g's partner is gone the stored cost stays a lower bound of every
      // other partner's, so a cheaper m is g's cheapest partner.
      Candidate c = candidate(groups, g, m, words);
      if (!hasNearest[g] || c.delta < nearest[g].delta) {
        nearest[g] = c;
        hasNearest[g] = true;
        queue.push(c);
      }
    }
  }

  // Least likely to change first; ties by first path.
  std::vector<std::pair<std::size_t, sdk::Layer>> layers;
  for (auto& g : groups) {
    if (!g.alive) continue;
    std::sort(g.members.begin(), g.members.end());
    sdk::Layer layer;
    for (std::size_t p : g.members) layer.push_back(paths[p]->path);
    layers.push_back({g.count, std::move(layer)});
  }
  std::sort(layers.begin(), layers.end());
  for (auto& [count, layer] : layers) out.push_back(std::move(layer));
  return out;
}

}  // namespace

sdk::LayerPlan ClosureStrategy::plan(const sdk::ClosureGraph& graph,
                                     std::uint32_t budget) noexcept {
  return sdk::guardPlan([&] { return layersFor(graph, budget); });
}

}  // namespace strata
