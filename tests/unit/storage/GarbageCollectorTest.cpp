#include "storage/GarbageCollector.h"

#include <gtest/gtest.h>
#include <utime.h>

#include <ctime>
#include <set>

#include "../support/TestSupport.h"
#include "storage/FilesystemBlobStore.h"

namespace strata {
namespace {

void age(const std::string& path, std::int64_t seconds) {
  struct utimbuf t;
  t.actime = t.modtime = static_cast<time_t>(std::time(nullptr) - seconds);
  ASSERT_EQ(::utime(path.c_str(), &t), 0);
}

TEST(GarbageCollector, RemovesOldUnreferencedBlobsOnly) {
  test::TempDir dir;
  FilesystemBlobStore store(dir / "blobs");
  Digest kept = store.put("referenced");
  Digest old = store.put("old and unreferenced");
  Digest young = store.put("young and unreferenced");
  age(store.pathOf(kept), 7200);
  age(store.pathOf(old), 7200);
  auto now = static_cast<std::int64_t>(std::time(nullptr));

  GarbageCollection done = collectGarbage(store, {kept.str()}, now, 3600);
  EXPECT_EQ(done.removed, 1u);
  EXPECT_EQ(done.bytes, std::string("old and unreferenced").size());
  EXPECT_TRUE(store.stat(kept));
  EXPECT_FALSE(store.stat(old));
  EXPECT_TRUE(store.stat(young)) << "a blob of a build in progress is left for the next gc";

  age(store.pathOf(young), 7200);
  EXPECT_EQ(collectGarbage(store, {kept.str()}, now, 3600).removed, 1u);
  EXPECT_FALSE(store.stat(young));
  EXPECT_EQ(collectGarbage(store, {kept.str()}, now, 3600).removed, 0u);
}

TEST(FilesystemBlobStore, ListsEveryBlobWithSizeAndTime) {
  test::TempDir dir;
  FilesystemBlobStore store(dir / "blobs");
  std::set<std::string> put{store.put("one").str(), store.put("three").str()};
  test::writeFile(dir / "blobs/sha256/zz/not-a-digest", "litter");
  std::set<std::string> listed;
  std::uint64_t bytes = 0;
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  store.list([&](const StoredBlob& b) {
    listed.insert(b.digest.str());
    bytes += b.size;
    EXPECT_LE(std::abs(b.modifiedAt - now), 60);
  });
  EXPECT_EQ(listed, put);
  EXPECT_EQ(bytes, 8u);
}

}  // namespace
}  // namespace strata
