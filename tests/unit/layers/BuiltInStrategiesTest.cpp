// What every built-in layering strategy must do, whatever its grouping.
#include <gtest/gtest.h>

#include "LayeringTestGraph.h"
#include "layers/ClosureStrategy.h"
#include "layers/PopularityStrategy.h"

namespace strata {
namespace {

template <typename Strategy>
class BuiltInStrategy : public ::testing::Test {
 protected:
  sdk::LayerPlan run(const sdk::ClosureGraph& g, std::uint32_t budget) {
    return strategy_.plan(g, budget);
  }

 private:
  Strategy strategy_;
};

using Strategies = ::testing::Types<PopularityStrategy, ClosureStrategy>;
TYPED_TEST_SUITE(BuiltInStrategy, Strategies);

TYPED_TEST(BuiltInStrategy, EmptyClosureHasNoLayers) {
  auto plan = this->run({}, 10);
  EXPECT_TRUE(plan.ok);
  EXPECT_TRUE(plan.layers.empty());
}

TYPED_TEST(BuiltInStrategy, ZeroBudgetFails) {
  auto g = test::GraphBuilder().add("a", 1).root("a").build();
  auto plan = this->run(g, 0);
  EXPECT_FALSE(plan.ok);
  EXPECT_FALSE(plan.error.empty());
}

}  // namespace
}  // namespace strata
