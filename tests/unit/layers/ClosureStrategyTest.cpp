#include "layers/ClosureStrategy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <set>

#include "LayeringTestGraph.h"

namespace strata {
namespace {

using test::expectPartition;
using test::GraphBuilder;
using test::layerOf;
using test::setsOf;

sdk::LayerPlan run(const sdk::ClosureGraph& g, std::uint32_t budget) {
  ClosureStrategy s;
  return s.plan(g, budget);
}

/// A random Nix-like closure: path i refers only to paths with larger numbers
/// (no cycles), sizes spread over four orders of magnitude.
sdk::ClosureGraph randomGraph(int n, unsigned seed) {
  std::mt19937 rng(seed);
  GraphBuilder b;
  for (int i = 0; i < n; ++i) {
    std::vector<std::string> refs;
    for (int k = 0; k < 4 && i + 1 < n; ++k)
      if (rng() % 3)
        refs.push_back("p" + std::to_string(std::uniform_int_distribution<int>(i + 1, n - 1)(rng)));
    std::sort(refs.begin(), refs.end());
    refs.erase(std::unique(refs.begin(), refs.end()), refs.end());
    b.add("p" + std::to_string(i), 1 + rng() % 10000 * (1 + rng() % 1000), refs);
    if (i < n / 10) b.root("p" + std::to_string(i));
  }
  return b.build();
}

TEST(ClosureStrategy, SmallDependentsShareALayerADeepLibraryStaysAlone) {
  // Expected re-download, one layer per path: lib 1000 x 1, a 1 x 2, b 1 x 2.
  // Merging a and b adds 2 (within the slack); merging lib with anything adds 1000.
  auto g = GraphBuilder()
               .add("a", 1, {"lib"})
               .add("b", 1, {"lib"})
               .add("lib", 1000)
               .root("a")
               .root("b")
               .build();
  auto plan = run(g, 10);
  expectPartition(g, plan);
  // The layer least likely to change comes first.
  EXPECT_EQ(plan.layers, (std::vector<sdk::Layer>{layerOf({"lib"}), layerOf({"a", "b"})}));
  EXPECT_EQ(run(g, 1).layers, (std::vector<sdk::Layer>{layerOf({"a", "b", "lib"})}));
}

TEST(ClosureStrategy, MergesTheCheapestPairsUntilTheSlackIsUsed) {
  // Four independent paths: merging two adds the sum of their sizes, later
  // size x closure. s1+s2 adds 3, then +s3 adds 9 (1,018 of a minimum of
  // 1,006, within 1.02x); adding big would add 3,006.
  auto g = GraphBuilder()
               .add("s1", 1)
               .add("s2", 2)
               .add("s3", 3)
               .add("big", 1000)
               .root("s1")
               .root("s2")
               .root("s3")
               .root("big")
               .build();
  auto plan = run(g, 10);
  expectPartition(g, plan);
  EXPECT_EQ(test::asSets(plan.layers), setsOf({{"s1", "s2", "s3"}, {"big"}}));
  EXPECT_EQ(test::asSets(run(g, 1).layers), setsOf({{"s1", "s2", "s3", "big"}}));
}

TEST(ClosureStrategy, AppsWithTheirOwnLargeDataKeepItApartFromTheLibraries) {
  // Two applications over a shared library stack; each has a large data path
  // of its own that nothing below changes. A library bump must not drag the
  // data along: the data paths get layers without the libraries.
  auto g = GraphBuilder()
               .add("app1", 10, {"data1", "ssl"})
               .add("app2", 10, {"data2", "ssl"})
               .add("data1", 5000)
               .add("data2", 5000)
               .add("ssl", 500, {"libc"})
               .add("libc", 2000)
               .root("app1")
               .root("app2")
               .build();
  auto plan = run(g, 4);
  expectPartition(g, plan);
  EXPECT_EQ(plan.layers.size(), 4u);
  for (const auto& l : plan.layers) {
    std::set<std::string> s(l.begin(), l.end());
    if (s.count(test::storePath("data1")) || s.count(test::storePath("data2"))) {
      EXPECT_FALSE(s.count(test::storePath("ssl")));
      EXPECT_FALSE(s.count(test::storePath("libc")));
    }
  }
}

TEST(ClosureStrategy, BudgetIsHonouredForEveryBudget) {
  auto g = randomGraph(60, 1);
  std::size_t previous = 0;
  for (std::uint32_t budget = 1; budget <= 64; ++budget) {
    SCOPED_TRACE(budget);
    auto plan = run(g, budget);
    expectPartition(g, plan);
    EXPECT_LE(plan.layers.size(), budget);
    // More budget never gives fewer layers.
    EXPECT_GE(plan.layers.size(), previous);
    previous = plan.layers.size();
  }
  EXPECT_EQ(run(g, 1).layers.size(), 1u);
}

TEST(ClosureStrategy, PlanDoesNotDependOnInputOrder) {
  auto g = randomGraph(300, 2);
  auto expected = run(g, 40);
  ASSERT_TRUE(expected.ok);
  std::mt19937 rng(3);
  for (int round = 0; round < 5; ++round) {
    auto shuffled = g;
    std::shuffle(shuffled.paths.begin(), shuffled.paths.end(), rng);
    for (auto& p : shuffled.paths) std::shuffle(p.references.begin(), p.references.end(), rng);
    std::shuffle(shuffled.roots.begin(), shuffled.roots.end(), rng);
    EXPECT_EQ(run(shuffled, 40).layers, expected.layers);
  }
}

TEST(ClosureStrategy, LargeClosuresStartFromGroupsAndStayFast) {
  // Over kMaxStartGroups paths, planning starts from groups of paths that hold
  // the same most depended-on paths.
  auto g = randomGraph(5000, 4);
  auto t0 = std::chrono::steady_clock::now();
  auto plan = run(g, 93);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  expectPartition(g, plan);
  EXPECT_LE(plan.layers.size(), 93u);
  EXPECT_LT(seconds, 5.0);  // about 0.1 s in a release build; generous for sanitizers
  auto shuffled = g;
  std::shuffle(shuffled.paths.begin(), shuffled.paths.end(), std::mt19937(5));
  EXPECT_EQ(run(shuffled, 93).layers, plan.layers);
}

TEST(ClosureStrategy, HugeSizesDoNotOverflow) {
  const std::uint64_t huge = 1ull << 62;
  auto g = GraphBuilder()
               .add("a", huge, {"c"})
               .add("b", huge, {"c"})
               .add("c", huge)
               .root("a")
               .root("b")
               .build();
  auto plan = run(g, 2);
  expectPartition(g, plan);
  EXPECT_EQ(plan.layers.size(), 2u);
}

TEST(ClosureStrategy, ReferencesOutsideTheClosureAreIgnored) {
  auto g = GraphBuilder().add("a", 10, {"b", "missing"}).add("b", 10).root("a").build();
  auto plan = run(g, 5);
  expectPartition(g, plan);
}

}  // namespace
}  // namespace strata
