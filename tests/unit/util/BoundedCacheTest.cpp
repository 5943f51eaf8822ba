#include "util/BoundedCache.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "util/CacheBudget.h"

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

TEST(BoundedCache, AMemoryBudgetCountsKeysValuesAndNodes) {
  BoundedCache<std::string, std::string> cache(MemoryBudget{1 << 20},
                                               [](const std::string& v) { return heapBytes(v); });
  std::string key = "sha256:" + std::string(64, 'a');
  cache.put(key, std::string(1000, 'v'));
  // The value's 1000 bytes, the key twice (list and index) and the nodes.
  EXPECT_GE(cache.used(), 1001u + 2 * 72u + 2 * sizeof(std::string));
  EXPECT_LE(cache.used(), 1001u + 2 * 72u + 512u);
  for (int i = 0; i < 10000; ++i)
    cache.put(std::to_string(i) + std::string(64, 'k'), std::string(1000, 'v'));
  EXPECT_LE(cache.used(), cache.budget());
  EXPECT_GT(cache.used(), cache.budget() * 9 / 10);
  EXPECT_LT(cache.size(), 1000u) << "about 1.3 KB an entry: about 800 fit in 1 MiB";
  EXPECT_GT(cache.size(), 700u);
}

TEST(CacheBudget, SharesTheWholeBudgetAndNoMore) {
  for (int mib : {4, 128, 4096}) {
    CacheBudget b = CacheBudget::ofMiB(mib);
    std::size_t sum = b.packageLists + b.smallBlobs + b.images + b.manifests + b.closures +
                      b.blobVisibility + b.buildLogs + b.resolutions + b.declarations +
                      b.blobSizes + b.failures;
    std::size_t total = static_cast<std::size_t>(mib) << 20;
    EXPECT_LE(sum, total);
    EXPECT_GE(sum, total - 100);
    EXPECT_GT(b.failures, 0u);
  }
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
