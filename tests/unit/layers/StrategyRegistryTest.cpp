#include "layers/StrategyRegistry.h"

#include <gtest/gtest.h>

#include <memory>

#include "../support/TestSupport.h"
#include "LayeringTestGraph.h"
#include "util/Error.h"

namespace strata {
namespace {

using test::GraphBuilder;
using test::storePath;

/// Answers whatever it was told to.
class FakeStrategy : public sdk::LayeringStrategy {
 public:
  explicit FakeStrategy(sdk::LayerPlan plan) : plan_(std::move(plan)) {}
  sdk::LayerPlan plan(const sdk::ClosureGraph&, std::uint32_t budget) noexcept override {
    lastBudget = budget;
    return plan_;
  }
  std::uint32_t lastBudget = 0;

 private:
  sdk::LayerPlan plan_;
};

sdk::ClosureGraph threePaths() {
  return GraphBuilder().add("a", 1, {"b"}).add("b", 1).add("c", 1).root("a").root("c").build();
}

sdk::LayerPlan planOf(std::vector<sdk::Layer> layers) {
  sdk::LayerPlan p;
  p.layers = std::move(layers);
  return p;
}

/// Runs planLayers with a fake answer and returns the error message (or
/// fails the test when there is none).
std::string failureOf(const sdk::LayerPlan& answer, std::uint32_t budget = 10) {
  StrategyRegistry reg;
  reg.add("fake", std::make_shared<FakeStrategy>(answer), "plugin-x");
  try {
    planLayers(reg.get("fake"), "fake", threePaths(), budget);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Internal);
    std::string msg = e.what();
    EXPECT_NE(msg.find("'fake'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("plugin-x"), std::string::npos) << msg;
    return msg;
  }
  ADD_FAILURE() << "planLayers accepted a bad plan";
  return "";
}

TEST(StrategyRegistry, AddGetAndNames) {
  StrategyRegistry reg;
  auto s = std::make_shared<FakeStrategy>(sdk::LayerPlan{});
  reg.add("zeta", s, "built-in");
  reg.add("alpha", std::make_shared<FakeStrategy>(sdk::LayerPlan{}), "plug");
  EXPECT_TRUE(reg.has("zeta"));
  EXPECT_FALSE(reg.has("beta"));
  EXPECT_EQ(reg.get("zeta").strategy, s);
  EXPECT_EQ(reg.get("zeta").origin, "built-in");
  EXPECT_EQ(reg.get("alpha").origin, "plug");
  EXPECT_EQ(reg.names(), (std::vector<std::string>{"alpha", "zeta"}));
}

TEST(StrategyRegistry, DuplicateNameIsRefused) {
  StrategyRegistry reg;
  reg.add("popularity", std::make_shared<FakeStrategy>(sdk::LayerPlan{}), "built-in");
  try {
    reg.add("popularity", std::make_shared<FakeStrategy>(sdk::LayerPlan{}), "evil-plugin");
    FAIL() << "a repeated name was accepted";
  } catch (const std::invalid_argument& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("popularity"), std::string::npos) << msg;
    EXPECT_NE(msg.find("evil-plugin"), std::string::npos) << msg;
    EXPECT_NE(msg.find("built-in"), std::string::npos) << msg;
  }
  EXPECT_EQ(reg.get("popularity").origin, "built-in");
}

TEST(StrategyRegistry, UnknownNameListsTheKnownOnes) {
  StrategyRegistry reg;
  reg.add("popularity", std::make_shared<FakeStrategy>(sdk::LayerPlan{}), "built-in");
  reg.add("flat", std::make_shared<FakeStrategy>(sdk::LayerPlan{}), "flat");
  try {
    reg.get("nope");
    FAIL();
  } catch (const std::invalid_argument& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("'nope'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("flat, popularity"), std::string::npos) << msg;
  }
}

TEST(PlanLayers, AcceptsAValidPlanAndPassesTheBudget) {
  StrategyRegistry reg;
  sdk::Layer l1 = {storePath("a"), storePath("b")}, l2 = {storePath("c")};
  auto fake = std::make_shared<FakeStrategy>(planOf({l1, l2}));
  reg.add("fake", fake, "test");
  auto layers = planLayers(reg.get("fake"), "fake", threePaths(), 2);
  EXPECT_EQ(layers, (std::vector<sdk::Layer>{l1, l2}));
  EXPECT_EQ(fake->lastBudget, 2u);
}

TEST(PlanLayers, RejectsAPathOutsideTheClosure) {
  std::string msg = failureOf(
      planOf({{storePath("a"), storePath("b"), storePath("c")}, {storePath("intruder")}}));
  EXPECT_NE(msg.find(storePath("intruder")), std::string::npos) << msg;
  EXPECT_NE(msg.find("not in the closure"), std::string::npos) << msg;
}

TEST(PlanLayers, RejectsADuplicatedPath) {
  std::string msg =
      failureOf(planOf({{storePath("a"), storePath("b")}, {storePath("c"), storePath("b")}}));
  EXPECT_NE(msg.find(storePath("b")), std::string::npos) << msg;
  EXPECT_NE(msg.find("more than one layer"), std::string::npos) << msg;
}

TEST(PlanLayers, RejectsADuplicateInsideOneLayer) {
  std::string msg =
      failureOf(planOf({{storePath("a"), storePath("a"), storePath("b"), storePath("c")}}));
  EXPECT_NE(msg.find("more than one layer"), std::string::npos) << msg;
}

TEST(PlanLayers, RejectsAMissingPath) {
  std::string msg = failureOf(planOf({{storePath("a")}, {storePath("c")}}));
  EXPECT_NE(msg.find(storePath("b")), std::string::npos) << msg;
  EXPECT_NE(msg.find("no layer"), std::string::npos) << msg;
}

TEST(PlanLayers, RejectsAnEmptyLayer) {
  std::string msg =
      failureOf(planOf({{storePath("a"), storePath("b"), storePath("c")}, sdk::Layer{}}));
  EXPECT_NE(msg.find("empty layer"), std::string::npos) << msg;
}

TEST(PlanLayers, RejectsTooManyLayers) {
  std::string msg = failureOf(planOf({{storePath("a")}, {storePath("b")}, {storePath("c")}}), 2);
  EXPECT_NE(msg.find("3 layers"), std::string::npos) << msg;
  EXPECT_NE(msg.find("budget of 2"), std::string::npos) << msg;
}

TEST(PlanLayers, ReportsTheStrategysOwnFailure) {
  sdk::LayerPlan p;
  p.ok = false;
  p.error = "graph too weird";
  EXPECT_NE(failureOf(p).find("graph too weird"), std::string::npos);
  p.error.clear();
  EXPECT_NE(failureOf(p).find("no reason given"), std::string::npos);
}

TEST(PlanLayers, EmptyAnswerForANonEmptyClosureIsRejected) {
  std::string msg = failureOf(planOf({}));
  EXPECT_NE(msg.find("no layer"), std::string::npos) << msg;
}

// ---------------------------------------------------------------------------
// PopularityData

const sdk::StorePath& pathNamed(const sdk::ClosureGraph& g, const std::string& name) {
  for (const auto& p : g.paths)
    if (p.path == storePath(name)) return p;
  throw std::runtime_error("no path " + name);
}

TEST(PopularityData, FallbackCountsTransitiveReferrers) {
  // a -> b -> c, d -> c, e alone; c is used by a, b and d.
  auto g = GraphBuilder()
               .add("a", 1, {"b"})
               .add("b", 1, {"c"})
               .add("c", 1)
               .add("d", 1, {"c"})
               .add("e", 1)
               .root("a")
               .root("d")
               .root("e")
               .build();
  PopularityData().apply(g);
  EXPECT_EQ(pathNamed(g, "a").popularity, 0u);
  EXPECT_EQ(pathNamed(g, "b").popularity, 1u);
  EXPECT_EQ(pathNamed(g, "c").popularity, 3u);
  EXPECT_EQ(pathNamed(g, "d").popularity, 0u);
  EXPECT_EQ(pathNamed(g, "e").popularity, 0u);
}

TEST(PopularityData, DiamondReferrersAreCountedOnce) {
  auto g = GraphBuilder()
               .add("top", 1, {"l", "r"})
               .add("l", 1, {"bottom"})
               .add("r", 1, {"bottom"})
               .add("bottom", 1)
               .root("top")
               .build();
  PopularityData().apply(g);
  EXPECT_EQ(pathNamed(g, "bottom").popularity, 3u);
}

TEST(PopularityData, LoadsCountsByName) {
  test::TempDir dir;
  test::writeFile(dir / "pop.json", R"({"glibc-2.37-8": 5000, "zlib-1.3": 7})");
  auto data = PopularityData::load(dir / "pop.json");
  auto g = GraphBuilder()
               .add("app", 1, {"glibc-2.37-8", "zlib-1.3"})
               .add("glibc-2.37-8", 1)
               .add("zlib-1.3", 1, {"glibc-2.37-8"})
               .root("app")
               .build();
  data.apply(g);
  EXPECT_EQ(pathNamed(g, "glibc-2.37-8").popularity, 5000u);
  EXPECT_EQ(pathNamed(g, "zlib-1.3").popularity, 7u);
  EXPECT_EQ(pathNamed(g, "app").popularity, 0u);  // not named: fallback
}

TEST(PopularityData, EmptyFileNameMeansNoData) {
  auto data = PopularityData::load("");
  auto g = GraphBuilder().add("a", 1, {"b"}).add("b", 1).root("a").build();
  data.apply(g);
  EXPECT_EQ(pathNamed(g, "b").popularity, 1u);
}

TEST(PopularityData, BadFilesAreRejectedNamingTheFile) {
  test::TempDir dir;
  struct Case {
    const char* content;
    const char* mention;
  };
  for (const Case& c : {Case{"{not json", ""}, Case{R"({"glibc": -1})", "glibc"},
                        Case{R"({"glibc": "many"})", "glibc"}, Case{R"({"glibc": 1.5})", "glibc"},
                        Case{R"({"glibc": true})", "glibc"}, Case{R"([1, 2])", ""}}) {
    SCOPED_TRACE(c.content);
    std::string file = dir / "pop.json";
    test::writeFile(file, c.content);
    try {
      PopularityData::load(file);
      ADD_FAILURE() << "accepted";
    } catch (const std::runtime_error& e) {
      std::string msg = e.what();
      EXPECT_NE(msg.find(file), std::string::npos) << msg;
      EXPECT_NE(msg.find(c.mention), std::string::npos) << msg;
    }
  }
  EXPECT_THROW(PopularityData::load(dir / "missing.json"), std::runtime_error);
}

}  // namespace
}  // namespace strata
