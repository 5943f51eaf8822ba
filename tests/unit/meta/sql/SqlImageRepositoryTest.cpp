#include "meta/sql/SqlImageRepository.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "TestDatabases.h"

namespace strata {
namespace {

std::string digestOf(char c) {
  return "sha256:" + std::string(64, c);
}

ImageRecord image(const std::string& key, char oci, char docker) {
  ImageRecord r;
  r.cacheKey = key;
  r.source = "demo";
  r.revision = "rev-" + key;
  r.packages = {"hello", "busybox", "python3Packages.requests"};
  r.arch = "arm64";
  r.strategy = "popularity";
  r.configDigest = digestOf('c');
  r.ociDigest = digestOf(oci);
  r.ociSize = 1234;
  r.dockerDigest = digestOf(docker);
  r.dockerSize = 5678;
  r.createdAt = 1700000000;
  return r;
}

class ImageRepositoryTest : public ::testing::TestWithParam<std::string> {
 protected:
  test::TestDatabase database{GetParam()};
  SqlImageRepository repo{database.db()};
};

TEST_P(ImageRepositoryTest, SaveAndFindByKey) {
  EXPECT_FALSE(repo.findByKey("k1").has_value());
  ImageRecord in = image("k1", '1', '2');
  repo.save(in, {digestOf('c'), digestOf('1'), digestOf('2'), digestOf('9')});
  auto out = repo.findByKey("k1");
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->cacheKey, "k1");
  EXPECT_EQ(out->source, "demo");
  EXPECT_EQ(out->revision, "rev-k1");
  EXPECT_EQ(out->packages, in.packages);  // order kept
  EXPECT_EQ(out->arch, "arm64");
  EXPECT_EQ(out->strategy, "popularity");
  EXPECT_EQ(out->configDigest, digestOf('c'));
  EXPECT_EQ(out->ociDigest, digestOf('1'));
  EXPECT_EQ(out->ociSize, 1234u);
  EXPECT_EQ(out->dockerDigest, digestOf('2'));
  EXPECT_EQ(out->dockerSize, 5678u);
  EXPECT_EQ(out->createdAt, 1700000000);
  EXPECT_FALSE(repo.findByKey("k2").has_value());
}

TEST_P(ImageRepositoryTest, TheClosureIsSavedWithTheImage) {
  sdk::ClosureGraph g;
  g.roots = {"/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-app"};
  g.paths = {{"/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-app",
              123,
              {"/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-lib"},
              0},
             {"/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-lib", 9000000000ull, {}, 7}};
  repo.save(image("k1", '1', '2'), {}, &g);
  auto out = repo.findClosure("k1");
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->roots, g.roots);
  ASSERT_EQ(out->paths.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(out->paths[i].path, g.paths[i].path);
    EXPECT_EQ(out->paths[i].narSize, g.paths[i].narSize);
    EXPECT_EQ(out->paths[i].references, g.paths[i].references);
    EXPECT_EQ(out->paths[i].popularity, g.paths[i].popularity);
  }
  // An image saved without one (built before migration 0003) has none, until
  // it is recorded.
  repo.save(image("k2", '3', '4'), {});
  EXPECT_FALSE(repo.findClosure("k2").has_value());
  repo.saveClosure("k2", g);
  EXPECT_EQ(repo.findClosure("k2")->paths.size(), 2u);
  EXPECT_FALSE(repo.findClosure("nope").has_value());
}

TEST_P(ImageRepositoryTest, CreatedAtDefaultsToNow) {
  ImageRecord in = image("k1", '1', '2');
  in.createdAt = 0;
  repo.save(in, {});
  auto out = repo.findByKey("k1");
  ASSERT_TRUE(out.has_value());
  EXPECT_GT(out->createdAt, 1600000000);
}

TEST_P(ImageRepositoryTest, SaveIsIdempotentAndUpdatesDigests) {
  repo.save(image("k1", '1', '2'), {digestOf('1')});
  repo.save(image("k1", '1', '2'), {digestOf('1')});
  repo.save(image("k1", '3', '4'), {digestOf('3')});
  auto out = repo.findByKey("k1");
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->ociDigest, digestOf('3'));
  EXPECT_EQ(out->dockerDigest, digestOf('4'));
  auto blobs = repo.referencedBlobs();
  std::sort(blobs.begin(), blobs.end());
  EXPECT_EQ(blobs, (std::vector<std::string>{digestOf('1'), digestOf('3')}));
}

TEST_P(ImageRepositoryTest, FindByManifestDigestOnlyUnderItsName) {
  repo.save(image("k1", '1', '2'), {});
  // Not served under any name yet.
  EXPECT_FALSE(repo.findByManifestDigest("demo/hello", digestOf('1')).has_value());
  repo.recordResolution("demo/hello", "latest", "rev-k1", "k1");
  auto byOci = repo.findByManifestDigest("demo/hello", digestOf('1'));
  auto byDocker = repo.findByManifestDigest("demo/hello", digestOf('2'));
  ASSERT_TRUE(byOci.has_value());
  ASSERT_TRUE(byDocker.has_value());
  EXPECT_EQ(byOci->cacheKey, "k1");
  EXPECT_EQ(byDocker->cacheKey, "k1");
  EXPECT_FALSE(repo.findByManifestDigest("demo/other", digestOf('1')).has_value());
  EXPECT_FALSE(repo.findByManifestDigest("demo/hello", digestOf('c')).has_value());
  EXPECT_FALSE(repo.findByManifestDigest("demo/hello", digestOf('9')).has_value());
}

TEST_P(ImageRepositoryTest, ResolutionsAreRecordedAndUpdated) {
  repo.save(image("k1", '1', '2'), {});
  repo.save(image("k2", '3', '4'), {});
  EXPECT_FALSE(repo.findResolution("demo/hello", "latest").has_value());
  repo.recordResolution("demo/hello", "latest", "rev-1", "k1");
  auto r = repo.findResolution("demo/hello", "latest");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->revision, "rev-1");
  EXPECT_EQ(r->cacheKey, "k1");
  repo.recordResolution("demo/hello", "latest", "rev-2", "k2");
  r = repo.findResolution("demo/hello", "latest");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->revision, "rev-2");
  EXPECT_EQ(r->cacheKey, "k2");
  EXPECT_FALSE(repo.findResolution("demo/hello", "other").has_value());
  EXPECT_FALSE(repo.findResolution("demo/other", "latest").has_value());
  // Both images stay reachable under the name.
  EXPECT_TRUE(repo.findByManifestDigest("demo/hello", digestOf('1')).has_value());
  EXPECT_TRUE(repo.findByManifestDigest("demo/hello", digestOf('3')).has_value());
}

TEST_P(ImageRepositoryTest, ResolutionOfAnUnknownImageIsRefused) {
  EXPECT_ANY_THROW(repo.recordResolution("demo/hello", "latest", "rev", "no-such-key"));
  EXPECT_FALSE(repo.findResolution("demo/hello", "latest").has_value());
  EXPECT_TRUE(repo.names("", 10).empty());
}

TEST_P(ImageRepositoryTest, TagsArePaginated) {
  repo.save(image("k1", '1', '2'), {});
  for (const char* tag : {"v2", "latest", "v10", "main", "a"})
    repo.recordResolution("demo/hello", tag, "rev", "k1");
  repo.recordResolution("demo/other", "zzz", "rev", "k1");
  EXPECT_EQ(repo.tags("demo/hello", "", 100),
            (std::vector<std::string>{"a", "latest", "main", "v10", "v2"}));
  EXPECT_EQ(repo.tags("demo/hello", "", 2), (std::vector<std::string>{"a", "latest"}));
  EXPECT_EQ(repo.tags("demo/hello", "latest", 2), (std::vector<std::string>{"main", "v10"}));
  EXPECT_EQ(repo.tags("demo/hello", "v10", 2), (std::vector<std::string>{"v2"}));
  EXPECT_TRUE(repo.tags("demo/hello", "v2", 2).empty());
  EXPECT_TRUE(repo.tags("demo/hello", "", 0).empty());
  EXPECT_TRUE(repo.tags("demo/none", "", 10).empty());
  EXPECT_EQ(repo.tags("demo/hello", "b", 10),
            (std::vector<std::string>{"latest", "main", "v10", "v2"}));
}

TEST_P(ImageRepositoryTest, NamesAreDistinctSortedAndPaginated) {
  repo.save(image("k1", '1', '2'), {});
  repo.recordResolution("demo/zsh", "latest", "rev", "k1");
  repo.recordResolution("demo/hello", "latest", "rev", "k1");
  repo.recordResolution("demo/hello", "v1", "rev", "k1");
  repo.recordResolution("acme/tool", "latest", "rev", "k1");
  EXPECT_EQ(repo.names("", 100), (std::vector<std::string>{"acme/tool", "demo/hello", "demo/zsh"}));
  EXPECT_EQ(repo.names("", 2), (std::vector<std::string>{"acme/tool", "demo/hello"}));
  EXPECT_EQ(repo.names("demo/hello", 2), (std::vector<std::string>{"demo/zsh"}));
  EXPECT_TRUE(repo.names("demo/zsh", 2).empty());
}

TEST_P(ImageRepositoryTest, BlobVisibleOnlyUnderNamesHoldingIt) {
  repo.save(image("k1", '1', '2'), {digestOf('c'), digestOf('a')});
  repo.save(image("k2", '3', '4'), {digestOf('c'), digestOf('b')});
  EXPECT_FALSE(repo.blobVisible("demo/hello", digestOf('a')));  // no name yet
  repo.recordResolution("demo/hello", "latest", "rev", "k1");
  repo.recordResolution("demo/zsh", "latest", "rev", "k2");
  EXPECT_TRUE(repo.blobVisible("demo/hello", digestOf('a')));
  EXPECT_TRUE(repo.blobVisible("demo/hello", digestOf('c')));
  EXPECT_FALSE(repo.blobVisible("demo/hello", digestOf('b')));
  EXPECT_TRUE(repo.blobVisible("demo/zsh", digestOf('b')));
  EXPECT_TRUE(repo.blobVisible("demo/zsh", digestOf('c')));
  EXPECT_FALSE(repo.blobVisible("demo/zsh", digestOf('a')));
  EXPECT_FALSE(repo.blobVisible("demo/other", digestOf('c')));
  EXPECT_FALSE(repo.blobVisible("demo/hello", digestOf('f')));
}

TEST_P(ImageRepositoryTest, LayerCache) {
  EXPECT_FALSE(repo.findLayer("key").has_value());
  LayerBlob blob{Digest::fromHex(std::string(64, 'd')), Digest::fromHex(std::string(64, 'e')),
                 98765};
  repo.saveLayer("key", blob);
  auto found = repo.findLayer("key");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->digest, blob.digest);
  EXPECT_EQ(found->diffId, blob.diffId);
  EXPECT_EQ(found->size, 98765u);
  LayerBlob other{Digest::fromHex(std::string(64, '5')), Digest::fromHex(std::string(64, '6')), 1};
  repo.saveLayer("key", other);  // replaced
  found = repo.findLayer("key");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->digest, other.digest);
  EXPECT_FALSE(repo.findLayer("other").has_value());
}

TEST_P(ImageRepositoryTest, ReferencedBlobsUnitesImagesAndLayers) {
  EXPECT_TRUE(repo.referencedBlobs().empty());
  repo.save(image("k1", '1', '2'), {digestOf('c'), digestOf('a')});
  repo.save(image("k2", '3', '4'), {digestOf('c'), digestOf('b')});
  repo.saveLayer("l1", LayerBlob{Digest::fromHex(std::string(64, 'a')),
                                 Digest::fromHex(std::string(64, '0')), 1});
  repo.saveLayer("l2", LayerBlob{Digest::fromHex(std::string(64, 'f')),
                                 Digest::fromHex(std::string(64, '0')), 1});
  auto blobs = repo.referencedBlobs();
  std::sort(blobs.begin(), blobs.end());
  EXPECT_EQ(blobs,
            (std::vector<std::string>{digestOf('a'), digestOf('b'), digestOf('c'), digestOf('f')}));
}

TEST_P(ImageRepositoryTest, DataSurvivesReopening) {
  repo.save(image("k1", '1', '2'), {digestOf('a')});
  repo.recordResolution("demo/hello", "latest", "rev", "k1");
  auto other = database.open();
  SqlImageRepository again(*other);
  EXPECT_TRUE(again.findByKey("k1").has_value());
  EXPECT_TRUE(again.blobVisible("demo/hello", digestOf('a')));
}

INSTANTIATE_TEST_SUITE_P(Engines, ImageRepositoryTest, ::testing::ValuesIn(test::testEngines()),
                         test::engineName);

}  // namespace
}  // namespace strata
