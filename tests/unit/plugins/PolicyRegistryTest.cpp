#include "plugins/PolicyRegistry.h"

#include <gtest/gtest.h>

#include <memory>

namespace strata {
namespace {

class FakePolicy : public sdk::AccessPolicy {
 public:
  explicit FakePolicy(sdk::Decision d) : d_(std::move(d)) {}
  sdk::Decision check(const sdk::Subject&, const std::string&,
                      const sdk::ImageInfo&) noexcept override {
    ++calls;
    return d_;
  }
  int calls = 0;

 private:
  sdk::Decision d_;
};

TEST(PolicyRegistry, EveryPolicyMustAllowAndTheFirstDenyWins) {
  PolicyRegistry reg;
  auto allow = std::make_shared<FakePolicy>(sdk::Decision{true, ""});
  auto deny1 = std::make_shared<FakePolicy>(sdk::Decision{false, "first"});
  auto deny2 = std::make_shared<FakePolicy>(sdk::Decision{false, "second"});
  EXPECT_TRUE(reg.empty());
  reg.add("allow", allow, "p1");
  EXPECT_FALSE(reg.check({}, "pull", {}));
  reg.add("deny1", deny1, "p2");
  reg.add("deny2", deny2, "p2");
  auto d = reg.check({}, "pull", {});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->policy, "deny1");
  EXPECT_EQ(d->origin, "p2");
  EXPECT_EQ(d->message(), "access denied by policy 'deny1' (plugin p2): first");
  EXPECT_EQ(allow->calls, 2);
  EXPECT_EQ(deny2->calls, 0);
}

TEST(PolicyRegistry, ADenyWithoutReasonSaysSo) {
  PolicyRegistry reg;
  reg.add("mute", std::make_shared<FakePolicy>(sdk::Decision{false, ""}), "p");
  EXPECT_EQ(reg.check({}, "pull", {})->reason, "no reason given");
}

TEST(PolicyRegistry, NamesAreUnique) {
  PolicyRegistry reg;
  reg.add("x", std::make_shared<FakePolicy>(sdk::Decision{}), "p1");
  try {
    reg.add("x", std::make_shared<FakePolicy>(sdk::Decision{}), "p2");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "access policy 'x' of p2 is already registered by p1");
  }
  EXPECT_EQ(reg.entries().size(), 1u);
}

}  // namespace
}  // namespace strata
