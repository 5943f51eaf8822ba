#include "layers/PopularityStrategy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "LayeringTestGraph.h"
#include "layers/StrategyRegistry.h"

namespace strata {
namespace {

using test::expectPartition;
using test::GraphBuilder;
using test::layerOf;
using test::setsOf;

sdk::LayerPlan run(const sdk::ClosureGraph& g, std::uint32_t budget) {
  PopularityStrategy s;
  return s.plan(g, budget);
}

TEST(PopularityStrategy, ExclusiveDependenciesStayWithTheirRoot) {
  auto g = GraphBuilder().add("a", 10, {"x"}).add("x", 10, {"y"}).add("y", 10).root("a").build();
  auto plan = run(g, 10);
  expectPartition(g, plan);
  EXPECT_EQ(plan.layers, (std::vector<sdk::Layer>{layerOf({"a", "x", "y"})}));
}

TEST(PopularityStrategy, APathSharedByTwoRootsGetsItsOwnLayer) {
  auto g = GraphBuilder()
               .add("a", 10, {"c", "ax"})
               .add("ax", 10)
               .add("b", 10, {"c"})
               .add("c", 10, {"d"})
               .add("d", 10)
               .root("a")
               .root("b")
               .build();
  auto plan = run(g, 10);
  expectPartition(g, plan);
  EXPECT_EQ(test::asSets(plan.layers), setsOf({{"a", "ax"}, {"b"}, {"c", "d"}}));
}

TEST(PopularityStrategy, SharedInsideOnePackageStaysInIt) {
  // d is shared by b and c, but both hang below a only: a dominates d.
  auto g = GraphBuilder()
               .add("a", 1, {"b", "c"})
               .add("b", 1, {"d"})
               .add("c", 1, {"d"})
               .add("d", 1)
               .add("z", 1)
               .root("a")
               .root("z")
               .build();
  auto plan = run(g, 10);
  expectPartition(g, plan);
  EXPECT_EQ(test::asSets(plan.layers), setsOf({{"a", "b", "c", "d"}, {"z"}}));
}

TEST(PopularityStrategy, BigPathsGetTheirOwnLayer) {
  const std::uint64_t big = PopularityStrategy::kSizeThreshold + 1;
  auto g = GraphBuilder()
               .add("a", 10, {"big", "w"})
               .add("big", big, {"z"})
               .add("w", 10)
               .add("z", 10)
               .root("a")
               .build();
  auto plan = run(g, 10);
  expectPartition(g, plan);
  EXPECT_EQ(test::asSets(plan.layers), setsOf({{"a", "w"}, {"big", "z"}}));
}

TEST(PopularityStrategy, SizeAtTheThresholdIsNotBig) {
  auto g = GraphBuilder()
               .add("a", 10, {"big"})
               .add("big", PopularityStrategy::kSizeThreshold)
               .root("a")
               .build();
  auto plan = run(g, 10);
  expectPartition(g, plan);
  EXPECT_EQ(test::asSets(plan.layers), setsOf({{"a", "big"}}));
}

TEST(PopularityStrategy, PopularPathsGetTheirOwnLayer) {
  auto g = GraphBuilder()
               .add("a", 10, {"p", "q"})
               .add("p", 10, {}, PopularityStrategy::kPopularityThreshold)
               .add("q", 10, {}, PopularityStrategy::kPopularityThreshold - 1)
               .root("a")
               .build();
  auto plan = run(g, 10);
  expectPartition(g, plan);
  EXPECT_EQ(test::asSets(plan.layers), setsOf({{"a", "q"}, {"p"}}));
}

TEST(PopularityStrategy, BudgetIsEnforced) {
  GraphBuilder b;
  for (int i = 0; i < 200; ++i) {
    std::string n = "root" + std::to_string(i);
    b.add(n, 1000 + static_cast<std::uint64_t>(i)).root(n);
  }
  auto g = b.build();
  for (std::uint32_t budget : {200u, 199u, 94u, 10u, 2u, 1u}) {
    SCOPED_TRACE(budget);
    auto plan = run(g, budget);
    expectPartition(g, plan);
    EXPECT_EQ(plan.layers.size(), budget);
  }
  auto one = run(g, 1);
  ASSERT_EQ(one.layers.size(), 1u);
  EXPECT_EQ(one.layers[0].size(), 200u);
  EXPECT_EQ(run(g, 500).layers.size(), 200u);  // no more layers than subtrees
}

TEST(PopularityStrategy, MergesTheLowestRatedFirst) {
  // Rating = (popularity + 1) * size: r1 = 10, r2 = 50, r3 = 20, r4 = 1000.
  auto g = GraphBuilder()
               .add("r1", 10)
               .add("r2", 5, {}, 9)
               .add("r3", 20)
               .add("r4", 1000)
               .root("r1")
               .root("r2")
               .root("r3")
               .root("r4")
               .build();
  // Layers come out ordered by rating, lowest first.
  EXPECT_EQ(run(g, 4).layers, (std::vector<sdk::Layer>{layerOf({"r1"}), layerOf({"r3"}),
                                                       layerOf({"r2"}), layerOf({"r4"})}));
  // r1 + r3 = 30 is merged first, and still rates below r2.
  EXPECT_EQ(run(g, 3).layers,
            (std::vector<sdk::Layer>{layerOf({"r1", "r3"}), layerOf({"r2"}), layerOf({"r4"})}));
  // Then 30 + 50.
  EXPECT_EQ(run(g, 2).layers,
            (std::vector<sdk::Layer>{layerOf({"r1", "r2", "r3"}), layerOf({"r4"})}));
}

TEST(PopularityStrategy, MergedLayersAreReordered) {
  // r1 = 5, r2 = 6, r3 = 7: merging r1 and r2 gives 11, which rates above r3.
  auto g = GraphBuilder()
               .add("r1", 5)
               .add("r2", 6)
               .add("r3", 7)
               .add("r4", 100)
               .root("r1")
               .root("r2")
               .root("r3")
               .root("r4")
               .build();
  EXPECT_EQ(run(g, 3).layers,
            (std::vector<sdk::Layer>{layerOf({"r3"}), layerOf({"r1", "r2"}), layerOf({"r4"})}));
}

TEST(PopularityStrategy, HugeRatingsDoNotOverflow) {
  const std::uint64_t huge = 1ull << 62;
  auto g = GraphBuilder()
               .add("a", huge, {}, 1ull << 40)
               .add("b", huge, {}, 1ull << 40)
               .add("c", 1)
               .root("a")
               .root("b")
               .root("c")
               .build();
  auto plan = run(g, 2);
  expectPartition(g, plan);
  // a and b rate far above c: c merges with one of them, the other stays alone.
  ASSERT_EQ(plan.layers.size(), 2u);
  EXPECT_EQ(plan.layers[0].size() + plan.layers[1].size(), 3u);
  bool cWithOther = false;
  for (const auto& l : plan.layers)
    if (l.size() == 2 && std::count(l.begin(), l.end(), test::storePath("c"))) cWithOther = true;
  EXPECT_TRUE(cWithOther);
}

TEST(PopularityStrategy, UnreachablePathsStillGetALayer) {
  auto g = GraphBuilder()
               .add("a", 1, {"b"})
               .add("b", 1)
               .add("stray", 1, {"stray-dep"})
               .add("stray-dep", 1)
               .root("a")
               .build();
  auto plan = run(g, 10);
  expectPartition(g, plan);
  EXPECT_EQ(test::asSets(plan.layers), setsOf({{"a", "b"}, {"stray"}, {"stray-dep"}}));
}

TEST(PopularityStrategy, IgnoresReferencesOutsideTheClosureAndUnknownRoots) {
  auto g = GraphBuilder().add("a", 1, {"elsewhere"}).root("a").root("not-there").build();
  auto plan = run(g, 10);
  expectPartition(g, plan);
  EXPECT_EQ(plan.layers, (std::vector<sdk::Layer>{layerOf({"a"})}));
}

/// A random DAG: node i refers only to nodes with a larger index.
sdk::ClosureGraph randomGraph(unsigned seed, int n) {
  std::mt19937 rng(seed);
  GraphBuilder b;
  for (int i = 0; i < n; ++i) {
    std::vector<std::string> refs;
    for (int j = i + 1; j < n; ++j)
      if (rng() % 10 == 0) refs.push_back("p" + std::to_string(j));
    std::uint64_t size = 1 + rng() % 5000;
    if (rng() % 25 == 0) size = PopularityStrategy::kSizeThreshold + rng() % 1000;
    std::uint64_t pop = rng() % 3 == 0 ? rng() % 150 : 0;
    b.add("p" + std::to_string(i), size, refs, pop);
    if (i < 6 || rng() % 8 == 0) b.root("p" + std::to_string(i));
  }
  return b.build();
}

TEST(PopularityStrategy, RandomGraphsArePartitioned) {
  for (unsigned seed = 1; seed <= 30; ++seed) {
    SCOPED_TRACE(seed);
    auto g = randomGraph(seed, 80);
    for (std::uint32_t budget : {1u, 3u, 20u, 125u}) {
      auto plan = run(g, budget);
      expectPartition(g, plan);
      EXPECT_LE(plan.layers.size(), budget);
    }
  }
}

TEST(PopularityStrategy, DeterministicRegardlessOfInputOrder) {
  std::mt19937 rng(99);
  for (unsigned seed = 1; seed <= 10; ++seed) {
    SCOPED_TRACE(seed);
    auto g = randomGraph(seed, 60);
    auto expected = run(g, 12);
    ASSERT_TRUE(expected.ok);
    for (int round = 0; round < 5; ++round) {
      auto shuffled = g;
      std::shuffle(shuffled.paths.begin(), shuffled.paths.end(), rng);
      for (auto& p : shuffled.paths) std::shuffle(p.references.begin(), p.references.end(), rng);
      std::shuffle(shuffled.roots.begin(), shuffled.roots.end(), rng);
      EXPECT_EQ(run(shuffled, 12).layers, expected.layers);
    }
  }
}

TEST(PopularityStrategy, PlanPassesTheHostChecks) {
  StrategyRegistry reg;
  reg.add("popularity", std::make_shared<PopularityStrategy>(), "built-in");
  auto g = randomGraph(42, 120);
  auto layers = planLayers(reg.get("popularity"), "popularity", g, 94);
  EXPECT_LE(layers.size(), 94u);
}

}  // namespace
}  // namespace strata
