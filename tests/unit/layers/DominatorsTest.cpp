#include "layers/Dominators.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace strata {
namespace {

using Graph = std::vector<std::vector<std::size_t>>;
constexpr std::size_t kNone = SIZE_MAX;

TEST(Dominators, SingleNode) {
  EXPECT_EQ(immediateDominators({{}}, 0), (std::vector<std::size_t>{0}));
}

TEST(Dominators, Chain) {
  Graph g = {{1}, {2}, {3}, {}};
  EXPECT_EQ(immediateDominators(g, 0), (std::vector<std::size_t>{0, 0, 1, 2}));
}

TEST(Dominators, Diamond) {
  Graph g = {{1, 2}, {3}, {3}, {4}, {}};
  EXPECT_EQ(immediateDominators(g, 0), (std::vector<std::size_t>{0, 0, 0, 0, 3}));
}

TEST(Dominators, UnreachableNodes) {
  // 3 is unreachable, and so is 4, reachable only from 3. 3's edge into 2
  // does not change 2's dominator.
  Graph g = {{1}, {2}, {}, {2, 4}, {}};
  EXPECT_EQ(immediateDominators(g, 0), (std::vector<std::size_t>{0, 0, 1, kNone, kNone}));
}

TEST(Dominators, RootNeedNotBeNodeZero) {
  Graph g = {{}, {0, 2}, {0}, {1}};
  EXPECT_EQ(immediateDominators(g, 3), (std::vector<std::size_t>{1, 3, 1, 3}));
}

TEST(Dominators, LoopsAndSelfEdges) {
  // 0 -> 1 -> 2 -> 1 (loop), 2 -> 3, 3 -> 3 (self edge), 1 -> 1.
  Graph g = {{1}, {2, 1}, {1, 3}, {3}};
  EXPECT_EQ(immediateDominators(g, 0), (std::vector<std::size_t>{0, 0, 1, 2}));
}

TEST(Dominators, LengauerTarjanExample) {
  // The flow graph of Lengauer and Tarjan's paper (1979), figure 1.
  enum { R, A, B, C, D, E, F, G, H, I, J, K, L, N };
  Graph g(N);
  g[R] = {A, B, C};
  g[A] = {D};
  g[B] = {A, D, E};
  g[C] = {F, G};
  g[D] = {L};
  g[E] = {H};
  g[F] = {I};
  g[G] = {I, J};
  g[H] = {E, K};
  g[I] = {K};
  g[J] = {I};
  g[K] = {I, R};
  g[L] = {H};
  std::vector<std::size_t> expected(N);
  expected[R] = R;
  expected[A] = R;
  expected[B] = R;
  expected[C] = R;
  expected[D] = R;
  expected[E] = R;
  expected[F] = C;
  expected[G] = C;
  expected[H] = R;
  expected[I] = R;
  expected[J] = G;
  expected[K] = R;
  expected[L] = D;
  EXPECT_EQ(immediateDominators(g, R), expected);
}

TEST(Dominators, DeepChainDoesNotOverflowTheStack) {
  const std::size_t n = 300000;
  Graph g(n);
  for (std::size_t i = 0; i + 1 < n; ++i) g[i] = {i + 1};
  auto idom = immediateDominators(g, 0);
  ASSERT_EQ(idom.size(), n);
  EXPECT_EQ(idom[n - 1], n - 2);
  EXPECT_EQ(idom[1], 0u);
}

/// Nodes reachable from root when `removed` is taken out of the graph.
std::vector<bool> reachableWithout(const Graph& g, std::size_t root, std::size_t removed) {
  std::vector<bool> seen(g.size(), false);
  if (root == removed) return seen;
  std::vector<std::size_t> todo{root};
  seen[root] = true;
  while (!todo.empty()) {
    std::size_t u = todo.back();
    todo.pop_back();
    for (std::size_t v : g[u])
      if (v != removed && !seen[v]) {
        seen[v] = true;
        todo.push_back(v);
      }
  }
  return seen;
}

/// Immediate dominators by definition: d dominates v when removing d cuts v
/// off from the root; idom(v) is the strict dominator that all others dominate.
std::vector<std::size_t> bruteForce(const Graph& g, std::size_t root) {
  const std::size_t n = g.size();
  std::vector<bool> reach = reachableWithout(g, root, kNone);
  // dom[d][v]: d dominates v.
  std::vector<std::vector<bool>> dom(n, std::vector<bool>(n, false));
  for (std::size_t d = 0; d < n; ++d) {
    auto r = reachableWithout(g, root, d);
    for (std::size_t v = 0; v < n; ++v) dom[d][v] = reach[v] && (d == v || !r[v]);
  }
  std::vector<std::size_t> idom(n, kNone);
  for (std::size_t v = 0; v < n; ++v) {
    if (!reach[v]) continue;
    if (v == root) {
      idom[v] = root;
      continue;
    }
    for (std::size_t d = 0; d < n; ++d) {
      if (d == v || !dom[d][v]) continue;
      bool dominatedByAll = true;  // every other strict dominator of v dominates d
      for (std::size_t e = 0; e < n; ++e)
        if (e != v && e != d && dom[e][v] && !dom[e][d]) dominatedByAll = false;
      if (dominatedByAll) idom[v] = d;
    }
  }
  return idom;
}

TEST(Dominators, AgreesWithTheDefinitionOnRandomGraphs) {
  std::mt19937 rng(20240601);
  for (int round = 0; round < 300; ++round) {
    std::size_t n = 1 + rng() % 12;
    Graph g(n);
    std::size_t edges = rng() % (n * 3 + 1);
    for (std::size_t i = 0; i < edges; ++i) g[rng() % n].push_back(rng() % n);
    std::size_t root = rng() % n;
    SCOPED_TRACE("round " + std::to_string(round));
    ASSERT_EQ(immediateDominators(g, root), bruteForce(g, root));
  }
}

}  // namespace
}  // namespace strata
