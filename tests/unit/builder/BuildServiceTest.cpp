#include "builder/BuildService.h"

#include <gtest/gtest.h>

#include "../support/ServerFixture.h"
#include "util/Error.h"

namespace strata {
namespace {

// Without Nix: images are seeded as a build leaves them. Builds themselves
// (single flight across requests, slots, logs of real Nix runs) are covered by
// tests/integration/test_build_queue.sh and test_builds_api.sh.

class BuildServiceTest : public ::testing::Test {
 protected:
  test::ServerFixture fx;
  ImageRequest hello = parseImageName("fx/hello", fx.config.sources);
};

TEST_F(BuildServiceTest, ResolveDecidesTheKeyFromTheSourceSettings) {
  ResolvedImage r = fx.builds->resolve(hello, "latest");
  EXPECT_EQ(r.revision, fx.revision());
  EXPECT_EQ(r.layering.strategy, "closure");
  EXPECT_EQ(r.layering.maxLayers, 94);
  EXPECT_EQ(r.codec, Codec::Gzip);
  EXPECT_EQ(r.label, "fx/hello:latest");
  EXPECT_EQ(r.key, imageCacheKey("fx", r.revision, {"hello"}, "amd64", "closure", 94));
  // A path source's revision is its other tag, and means the same image.
  EXPECT_EQ(fx.builds->resolve(hello, r.revision).key, r.key);
  EXPECT_THROW(fx.builds->resolve(hello, "v9"), Error);
}

TEST(ImageCacheKey, IsStableAndSeparatesEveryInput) {
  std::string base = imageCacheKey("fx", "rev", {"a", "b"}, "amd64", "popularity", 94);
  // Keys recorded by earlier versions must not change: images keep them.
  EXPECT_EQ(base, imageCacheKey("fx", "rev", {"a", "b"}, "amd64", "popularity", 94, Codec::Gzip));
  for (const auto& other :
       {imageCacheKey("fy", "rev", {"a", "b"}, "amd64", "popularity", 94),
        imageCacheKey("fx", "rew", {"a", "b"}, "amd64", "popularity", 94),
        imageCacheKey("fx", "rev", {"a"}, "amd64", "popularity", 94),
        imageCacheKey("fx", "rev", {"a", "b"}, "arm64", "popularity", 94),
        imageCacheKey("fx", "rev", {"a", "b"}, "amd64", "flat", 94),
        imageCacheKey("fx", "rev", {"a", "b"}, "amd64", "popularity", 93),
        imageCacheKey("fx", "rev", {"a", "b"}, "amd64", "popularity", 94, Codec::Zstd),
        imageCacheKey("fx", "rev", {"a", "b"}, "amd64", "popularity", 94, Codec::Gzip,
                      ImageFormat::NixSnapshotter)})
    EXPECT_NE(base, other);
}

TEST_F(BuildServiceTest, ACompleteImageIsServedFromTheCacheWithoutABuild) {
  ImageRecord seeded = fx.seed("fx/hello");
  ImageRecord got = fx.builds->obtain(fx.builds->resolve(hello, "latest"));
  EXPECT_EQ(got.ociDigest, seeded.ociDigest);
  EXPECT_EQ(fx.builds->log().recent(10).size(), 0u);
  EXPECT_NE(fx.metrics.render().find("strata_image_cache_total{result=\"hit\"} 1"),
            std::string::npos);
}

TEST_F(BuildServiceTest, BuildingAheadOfACachedImageLogsItAsCached) {
  ImageRecord seeded = fx.seed("fx/hello", "latest");
  BuildStatus s = fx.builds->startBuild(hello, "latest");
  EXPECT_EQ(s.state, "cached");
  EXPECT_EQ(s.ociDigest, seeded.ociDigest);
  EXPECT_EQ(s.image, "fx/hello:latest");
  EXPECT_TRUE(fx.metadata->images().tags("fx/hello", "", 10).empty())
      << "building ahead records no tag";
  ASSERT_EQ(fx.builds->log().recent(10).size(), 1u);
}

TEST_F(BuildServiceTest, ClosuresComeFromTheRecordWithTheImage) {
  ImageRecord seeded = fx.seed("fx/hello");
  auto closure = fx.builds->closureOf(seeded);
  ASSERT_TRUE(closure);
  ASSERT_EQ(closure->roots.size(), 1u);
  EXPECT_NE(closure->roots[0].find("-hello"), std::string::npos);
  EXPECT_EQ(fx.builds->closureOf(seeded), closure) << "kept in memory once read";
}

TEST_F(BuildServiceTest, AnImageWithAllItsBlobsIsNotRebuilt) {
  ImageRecord seeded = fx.seed("fx/hello");
  EXPECT_EQ(fx.builds->rebuildIfIncomplete(seeded).ociDigest, seeded.ociDigest);
}

TEST_F(BuildServiceTest, AnIncompleteImageOfAnotherConfigurationIsUnknown) {
  ImageRecord seeded = fx.seed("fx/hello");
  fx.blobs->remove(*Digest::parse(seeded.ociDigest));
  Config changed = fx.config;
  changed.layering.maxLayers = 20;
  BuildService other(BuildService::Deps{changed, fx.sources, *fx.blobs, fx.metadata->images(),
                                        *fx.pipeline, fx.metrics, fx.metadata->builds()});
  try {
    other.rebuildIfIncomplete(seeded);
    ADD_FAILURE() << "rebuilt with other settings";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::UnknownManifest);
    EXPECT_NE(std::string(e.what()).find("configuration changed"), std::string::npos);
  }
}

TEST_F(BuildServiceTest, RecordingATagMakesItsBlobsVisibleUnderTheName) {
  ImageRecord seeded = fx.seed("fx/hello");
  ResolvedImage r = fx.builds->resolve(hello, "latest");
  EXPECT_FALSE(fx.metadata->images().blobVisible("fx/hello", seeded.configDigest));
  fx.builds->recordTag(r);
  fx.builds->recordTag(r);  // again: nothing changes
  EXPECT_TRUE(fx.metadata->images().blobVisible("fx/hello", seeded.configDigest));
  auto resolution = fx.metadata->images().findResolution("fx/hello", "latest");
  ASSERT_TRUE(resolution);
  EXPECT_EQ(resolution->cacheKey, r.key);
}

}  // namespace
}  // namespace strata
