#include "meta/CachedImageRepository.h"

#include <gtest/gtest.h>

#include "../support/TestSupport.h"
#include "meta/sql/SqlImageRepository.h"
#include "meta/sqlite/SqliteDatabase.h"

namespace strata {
namespace {

/// The SQLite repository, counting the queries the cache should spare it.
class CountingRepository : public SqlImageRepository {
 public:
  using SqlImageRepository::SqlImageRepository;
  std::optional<ImageRecord> findByManifestDigest(const std::string& name,
                                                  const std::string& digest) override {
    ++digestQueries;
    return SqlImageRepository::findByManifestDigest(name, digest);
  }
  bool blobVisible(const std::string& name, const std::string& digest) override {
    ++blobQueries;
    return SqlImageRepository::blobVisible(name, digest);
  }
  int digestQueries = 0;
  int blobQueries = 0;
};

/// An image of fx/hello at revision "r" (without its SBOM).
ImageRecord sampleImage() {
  ImageRecord image;
  image.cacheKey = std::string(64, 'k');
  image.source = "fx";
  image.revision = "r";
  image.packages = {"hello"};
  image.arch = "amd64";
  image.strategy = "popularity";
  image.configDigest = "sha256:" + std::string(64, 'c');
  image.ociDigest = "sha256:" + std::string(64, 'o');
  image.dockerDigest = "sha256:" + std::string(64, 'd');
  return image;
}

TEST(CachedImageRepository, KeepsPositiveAnswersOnlyAndWithinItsBudget) {
  test::TempDir dir;
  SqliteDatabase db(dir / "strata.db");
  CountingRepository inner(db);
  ImageRecord image = sampleImage();
  image.sbomDigest = "sha256:" + std::string(64, 'b');
  // Room for two (name, blob digest) pairs: what one costs, measured.
  BoundedCache<std::pair<std::string, std::string>, bool, StringPairHash> probe(
      MemoryBudget{1 << 20}, [](bool) { return std::size_t{0}; });
  probe.put({"fx/hello", image.configDigest}, true);
  CachedImageRepository cached(inner, 1 << 20, probe.used() * 5 / 2);
  cached.save(image, {image.configDigest, image.ociDigest, image.dockerDigest});

  // Not served under the name yet: negative answers are asked again.
  EXPECT_FALSE(cached.findByManifestDigest("fx/hello", image.ociDigest));
  EXPECT_FALSE(cached.blobVisible("fx/hello", image.configDigest));
  cached.recordResolution("fx/hello", "latest", "r", image.cacheKey);
  EXPECT_TRUE(cached.findByManifestDigest("fx/hello", image.ociDigest));
  EXPECT_TRUE(cached.blobVisible("fx/hello", image.configDigest));
  EXPECT_EQ(inner.digestQueries, 2);
  EXPECT_EQ(inner.blobQueries, 2);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(cached.findByManifestDigest("fx/hello", image.ociDigest)->cacheKey, image.cacheKey);
    EXPECT_TRUE(cached.blobVisible("fx/hello", image.configDigest));
  }
  EXPECT_EQ(inner.digestQueries, 2) << "positive answers come from memory";
  EXPECT_EQ(inner.blobQueries, 2);
  // A budget of two pairs: two other blobs push the least recent one out.
  for (const auto& d : {image.ociDigest, image.dockerDigest}) cached.blobVisible("fx/hello", d);
  cached.blobVisible("fx/hello", image.configDigest);
  EXPECT_EQ(inner.blobQueries, 5);
  // Everything else goes straight through.
  EXPECT_EQ(cached.tags("fx/hello", "", 10), std::vector<std::string>{"latest"});
  EXPECT_EQ(cached.findByKey(image.cacheKey)->revision, "r");
}

TEST(CachedImageRepository, AnImageWithoutItsSbomIsAskedForAgain) {
  // Built before SBOMs: the pull completes it, and the cache must not keep
  // the record from before.
  test::TempDir dir;
  SqliteDatabase db(dir / "strata.db");
  CountingRepository inner(db);
  CachedImageRepository cached(inner, 1 << 20, 1 << 20);
  ImageRecord image = sampleImage();
  cached.save(image, {});
  cached.recordResolution("fx/hello", "latest", "r", image.cacheKey);
  EXPECT_EQ(cached.findByManifestDigest("fx/hello", image.ociDigest)->sbomDigest, "");
  image.sbomDigest = "sha256:" + std::string(64, 'b');
  image.referrers = {Referrer{image.ociDigest, "sha256:" + std::string(64, 'a'),
                              "application/vnd.oci.image.manifest.v1+json",
                              "application/vnd.cyclonedx+json", 700}};
  cached.save(image, image.ownBlobs());
  auto completed = cached.findByManifestDigest("fx/hello", image.ociDigest);
  EXPECT_EQ(completed->sbomDigest, image.sbomDigest);
  EXPECT_EQ(completed->referrers, image.referrers);
  cached.findByManifestDigest("fx/hello", image.ociDigest);
  EXPECT_EQ(inner.digestQueries, 2) << "the completed record is kept";
  // The artifact's own digest finds its image too.
  EXPECT_EQ(cached.findByManifestDigest("fx/hello", image.referrers[0].digest)->cacheKey,
            image.cacheKey);
}

}  // namespace
}  // namespace strata
