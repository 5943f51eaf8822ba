#include "util/BoundedCache.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace strata {
namespace {

TEST(BoundedCache, EvictsTheLeastRecentlyUsed) {
  BoundedCache<std::string, int> cache(3);
  cache.put("a", 1);
  cache.put("b", 2);
  cache.put("c", 3);
  EXPECT_EQ(cache.get("a"), 1);  // a is now the most recent
  cache.put("d", 4);             // evicts b
  EXPECT_FALSE(cache.get("b"));
  EXPECT_EQ(cache.get("a"), 1);
  EXPECT_EQ(cache.get("c"), 3);
  EXPECT_EQ(cache.get("d"), 4);
  EXPECT_EQ(cache.size(), 3u);
}

TEST(BoundedCache, ReplacingKeepsOneEntry) {
  BoundedCache<std::string, int> cache(2);
  cache.put("a", 1);
  cache.put("a", 2);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.get("a"), 2);
}

TEST(BoundedCache, CostsBoundTheTotal) {
  BoundedCache<std::string, std::string> cache(10, [](const std::string& v) { return v.size(); });
  cache.put("a", "xxxx");
  cache.put("b", "yyyy");
  EXPECT_EQ(cache.used(), 8u);
  cache.put("c", "zzzz");  // 12 > 10: a goes
  EXPECT_FALSE(cache.contains("a"));
  EXPECT_EQ(cache.used(), 8u);
  cache.put("huge", std::string(11, 'h'));  // more than the whole budget: not kept
  EXPECT_FALSE(cache.contains("huge"));
  EXPECT_TRUE(cache.contains("b"));
  EXPECT_TRUE(cache.contains("c"));
  cache.erase("b");
  EXPECT_EQ(cache.used(), 4u);
}

TEST(BoundedCache, StaysWithinItsBudgetUnderManyKeysAndThreads) {
  BoundedCache<int, int> cache(100);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        cache.put(t * 100000 + i, i);
        cache.get(t * 100000 + i / 2);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(cache.size(), 100u);
  EXPECT_EQ(cache.used(), 100u);
}

}  // namespace
}  // namespace strata
