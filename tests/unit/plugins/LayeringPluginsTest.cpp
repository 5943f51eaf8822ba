// The shipped layering plugins, loaded through the host, on hand-made graphs:
// layering-flat (`flat`) and layering-auto (`auto`).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "../layers/LayeringTestGraph.h"
#include "PluginTestSupport.h"
#include "util/Error.h"

namespace strata {
namespace {

using test::GraphBuilder;
using test::layerOf;
using test::setsOf;
using test::storePath;

class LayeringPlugins : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    flat_ = test::load("layering-flat", test::shippedPlugin("layering-flat")).release();
    auto_ = test::load("layering-auto", test::shippedPlugin("layering-auto")).release();
  }
  static void TearDownTestSuite() {
    delete flat_;
    delete auto_;
  }

  /// Runs the strategy through planLayers, which checks the plan.
  static std::vector<sdk::Layer> plan(const std::string& name, const sdk::ClosureGraph& g,
                                      std::uint32_t budget) {
    const auto& reg = name == "flat" ? flat_->strategies : auto_->strategies;
    return planLayers(reg.get(name), name, g, budget);
  }

  static test::Loaded* flat_;
  static test::Loaded* auto_;
};
test::Loaded* LayeringPlugins::flat_ = nullptr;
test::Loaded* LayeringPlugins::auto_ = nullptr;

/// app → libA → libc, app → libB → libc, tool → libc. Sizes pick the order
/// of roots: libA, libB, libc, app, tool.
sdk::ClosureGraph diamond() {
  return GraphBuilder()
      .add("app", 10, {"libA", "libB"})
      .add("libA", 50, {"libc"})
      .add("libB", 40, {"libc"})
      .add("libc", 30)
      .add("tool", 5, {"libc"})
      .root("app")
      .root("tool")
      .build();
}

TEST_F(LayeringPlugins, FlatPutsEverythingIntoOneSortedLayer) {
  auto layers = plan("flat", diamond(), 93);
  ASSERT_EQ(layers.size(), 1u);
  EXPECT_EQ(layers[0], layerOf({"app", "libA", "libB", "libc", "tool"}));
  EXPECT_TRUE(std::is_sorted(layers[0].begin(), layers[0].end()));
  EXPECT_EQ(plan("flat", diamond(), 1).size(), 1u);
}

TEST_F(LayeringPlugins, FlatOnAnEmptyClosureAndAZeroBudget) {
  EXPECT_TRUE(plan("flat", sdk::ClosureGraph{}, 5).empty());
  auto p = flat_->strategy("flat")->plan(diamond(), 0);
  EXPECT_FALSE(p.ok);
  EXPECT_NE(p.error.find("budget is 0"), std::string::npos);
}

TEST_F(LayeringPlugins, FlatRefusesSettings) {
  EXPECT_NE(test::loadError("layering-flat", test::shippedPlugin("layering-flat"), R"({"x": 1})")
                .find("plugins.config.layering-flat.x is not a known key"),
            std::string::npos);
}

TEST_F(LayeringPlugins, AutoGivesEveryPathItsOwnLayerWhenTheBudgetAllows) {
  EXPECT_EQ(setsOf({{"app"}, {"libA"}, {"libB"}, {"libc"}, {"tool"}}),
            test::asSets(plan("auto", diamond(), 93)));
  EXPECT_EQ(plan("auto", diamond(), 5).size(), 5u);
}

TEST_F(LayeringPlugins, AutoStopsBeforeTheBudget) {
  // Roots libA, libB, libc: the small top (app, tool) shares a layer.
  EXPECT_EQ(setsOf({{"libA"}, {"libB"}, {"libc"}, {"app", "tool"}}),
            test::asSets(plan("auto", diamond(), 4)));
  // Roots libA and libB need 4 layers (libc is shared by both): one root only.
  // libc then goes with libA, the only root depending on it.
  EXPECT_EQ(setsOf({{"libA", "libc"}, {"app", "libB", "tool"}}),
            test::asSets(plan("auto", diamond(), 3)));
  EXPECT_EQ(setsOf({{"libA", "libc"}, {"app", "libB", "tool"}}),
            test::asSets(plan("auto", diamond(), 2)));
  EXPECT_EQ(setsOf({{"app", "libA", "libB", "libc", "tool"}}),
            test::asSets(plan("auto", diamond(), 1)));
}

TEST_F(LayeringPlugins, AutoGroupsSharedPathsBySetOfRoots) {
  // big1 and big2 share libx; big2 and big3 share liby; all three share libc.
  auto g = GraphBuilder()
               .add("top", 1, {"big1", "big2", "big3"})
               .add("big1", 900, {"libx", "libc"})
               .add("big2", 800, {"libx", "liby", "libc"})
               .add("big3", 700, {"liby", "libc"})
               .add("libx", 3)
               .add("liby", 4)
               .add("libc", 5)
               .root("top")
               .build();
  // Three roots: {big1,big2} → libx, {big2,big3} → liby, all → libc, top alone.
  EXPECT_EQ(setsOf({{"big1"}, {"big2"}, {"big3"}, {"libx"}, {"liby"}, {"libc"}, {"top"}}),
            test::asSets(plan("auto", g, 7)));
  // With 6 layers: two roots, then {big1,big2} share libx and libc, big2 alone liby.
  EXPECT_EQ(setsOf({{"big1"}, {"big2", "liby"}, {"libx", "libc"}, {"top", "big3"}}),
            test::asSets(plan("auto", g, 6)));
}

TEST_F(LayeringPlugins, AutoPutsAPathWithTheNearestRoot) {
  // A → B → D and A → D: whatever uses A uses B, so D belongs with B.
  auto g =
      GraphBuilder().add("A", 100, {"B", "D"}).add("B", 50, {"D"}).add("D", 1).root("A").build();
  EXPECT_EQ(setsOf({{"A"}, {"B", "D"}}), test::asSets(plan("auto", g, 2)));
}

TEST_F(LayeringPlugins, AutoDoesNotDependOnInputOrderAndBreaksTiesByPath) {
  auto a = GraphBuilder()
               .add("x", 10)
               .add("y", 10)
               .add("z", 10)
               .add("top", 1, {"x", "y", "z"})
               .root("top")
               .build();
  auto b = a;
  std::reverse(b.paths.begin(), b.paths.end());
  auto la = plan("auto", a, 3), lb = plan("auto", b, 3);
  EXPECT_EQ(la, lb);
  // Two roots fit (x, y, then everything else); which two is decided by path.
  std::vector<std::string> sizes10 = {storePath("x"), storePath("y"), storePath("z")};
  std::sort(sizes10.begin(), sizes10.end());
  std::set<std::set<std::string>> expected = {
      {sizes10[0]}, {sizes10[1]}, {sizes10[2], storePath("top")}};
  EXPECT_EQ(test::asSets(la), expected);
}

/// The closure after package `name` changed: it and everything depending on
/// it get new store paths ("name" → "name'").
sdk::ClosureGraph changed(const sdk::ClosureGraph& g, const std::set<std::string>& names) {
  auto rename = [&](const std::string& path) {
    for (const auto& n : names)
      if (path == storePath(n)) return storePath(n + "'");
    return path;
  };
  sdk::ClosureGraph out;
  for (auto p : g.paths) {
    p.path = rename(p.path);
    for (auto& r : p.references) r = rename(r);
    std::sort(p.references.begin(), p.references.end());
    out.paths.push_back(std::move(p));
  }
  for (const auto& r : g.roots) out.roots.push_back(rename(r));
  std::sort(out.paths.begin(), out.paths.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  std::sort(out.roots.begin(), out.roots.end());
  return out;
}

TEST_F(LayeringPlugins, AutoKeepsEveryLayerThatHoldsNoChangedPath) {
  // A mid-graph change (libB, so app changes too) leaves the layers of libA,
  // libc and tool exactly as they were: a client downloads libB and app only.
  for (std::uint32_t budget : {3u, 4u, 93u}) {
    SCOPED_TRACE(budget);
    auto before = test::asSets(plan("auto", diamond(), budget));
    auto after = test::asSets(plan("auto", changed(diamond(), {"libB", "app"}), budget));
    for (const auto& layer : after) {
      bool touched = layer.count(storePath("libB'")) || layer.count(storePath("app'"));
      EXPECT_EQ(before.count(layer) == 1, !touched);
    }
  }
}

TEST_F(LayeringPlugins, AutoAlwaysAnswersAValidPlan) {
  // A layered graph of 60 paths; planLayers checks every plan.
  GraphBuilder b;
  for (int i = 0; i < 60; ++i) {
    std::vector<std::string> refs;
    for (int j = i + 1; j < 60; j += 1 + (i % 7)) refs.push_back("p" + std::to_string(j));
    b.add("p" + std::to_string(i), static_cast<std::uint64_t>((i * 7919) % 1000 + 1), refs);
  }
  b.root("p0");
  auto g = b.build();
  for (std::uint32_t budget = 1; budget <= 70; ++budget) {
    SCOPED_TRACE(budget);
    auto layers = plan("auto", g, budget);
    EXPECT_LE(layers.size(), budget);
  }
  EXPECT_EQ(plan("auto", g, 125).size(), 60u);
  EXPECT_TRUE(plan("auto", sdk::ClosureGraph{}, 5).empty());
  EXPECT_FALSE(auto_->strategy("auto")->plan(g, 0).ok);
}

TEST(PluginDeadline, AStrategyThatDoesNotAnswerFailsTheBuildNamingIt) {
  auto l = test::load("hangs", test::testPlugin("hangs"), R"({"seconds": 5})");
  auto start = std::chrono::steady_clock::now();
  try {
    planLayers(l->strategies.get("hangs"), "hangs", diamond(), 10, std::chrono::milliseconds(200));
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Internal);
    EXPECT_NE(std::string(e.what()).find("layering strategy 'hangs' (hangs) failed: it did not "
                                         "answer within plugins.timeoutSeconds (200 ms)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

}  // namespace
}  // namespace strata
