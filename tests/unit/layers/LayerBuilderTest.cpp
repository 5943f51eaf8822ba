#include "layers/LayerBuilder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "../support/TestSupport.h"
#include "layers/TarWriter.h"
#include "storage/FilesystemBlobStore.h"
#include "util/ByteSink.h"
#include "util/Sha256.h"

namespace strata {
namespace {

void produceSample(TarWriter& tar) {
  tar.directory("etc", 0755);
  std::string content(300000, 'q');
  for (std::size_t i = 0; i < content.size(); i += 97) content[i] = char('a' + i % 26);
  tar.beginFile("etc/data", 0644, content.size());
  tar.data(content.data(), content.size());
  tar.endFile();
  tar.symlink("etc/link", "data");
  tar.finish();
}

std::string uncompressed(const std::function<void(TarWriter&)>& produce) {
  StringSink sink;
  TarWriter tar(sink);
  produce(tar);
  return sink.data();
}

std::size_t filesIn(const std::string& dir) {
  std::size_t n = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(dir);
       it != std::filesystem::recursive_directory_iterator(); ++it)
    if (it->is_regular_file()) ++n;
  return n;
}

TEST(LayerBuilder, DigestsAndSizeDescribeTheStoredBlob) {
  test::TempDir dir;
  FilesystemBlobStore store(dir / "blobs");
  LayerBlob blob = buildLayer(store, Codec::Gzip, produceSample);

  std::string tar = uncompressed(produceSample);
  EXPECT_EQ(blob.diffId.hex(), Sha256::hex(tar));

  auto info = store.stat(blob.digest);
  ASSERT_TRUE(info.has_value());
  std::string stored = test::readFile(store.pathOf(blob.digest));
  EXPECT_EQ(blob.digest.hex(), Sha256::hex(stored));
  EXPECT_EQ(blob.size, stored.size());
  EXPECT_EQ(info->size, stored.size());
  EXPECT_EQ(test::gunzip(stored), tar);
  EXPECT_NE(blob.digest, blob.diffId);
  // Nothing is left in the temporary folder.
  EXPECT_EQ(filesIn(dir / "blobs/tmp"), 0u);
}

TEST(LayerBuilder, SameContentGivesTheSameBlob) {
  test::TempDir one, two;
  FilesystemBlobStore a(one / "blobs"), b(two / "blobs");
  LayerBlob x = buildLayer(a, Codec::Gzip, produceSample);
  LayerBlob y = buildLayer(b, Codec::Gzip, produceSample);
  LayerBlob z = buildLayer(a, Codec::Gzip, produceSample);  // again into the same store
  EXPECT_EQ(x.digest, y.digest);
  EXPECT_EQ(x.diffId, y.diffId);
  EXPECT_EQ(x.size, y.size);
  EXPECT_EQ(x.digest, z.digest);
  EXPECT_EQ(test::readFile(a.pathOf(x.digest)), test::readFile(b.pathOf(y.digest)));
}

TEST(LayerBuilder, EmptyArchive) {
  test::TempDir dir;
  FilesystemBlobStore store(dir / "blobs");
  LayerBlob blob = buildLayer(store, Codec::Gzip, [](TarWriter& tar) { tar.finish(); });
  EXPECT_EQ(blob.diffId.hex(), Sha256::hex(std::string(1024, '\0')));
  EXPECT_EQ(test::gunzip(store.read(blob.digest)), std::string(1024, '\0'));
}

TEST(LayerBuilder, AFailingProducerPublishesNothing) {
  test::TempDir dir;
  FilesystemBlobStore store(dir / "blobs");
  EXPECT_THROW(buildLayer(store, Codec::Gzip,
                          [](TarWriter& tar) {
                            tar.directory("x", 0755);
                            throw std::runtime_error("boom");
                          }),
               std::runtime_error);
  EXPECT_EQ(filesIn(dir / "blobs"), 0u);
}

TEST(LayerKey, IndependentOfOrder) {
  std::vector<std::string> paths = {"/nix/store/b-2", "/nix/store/a-1", "/nix/store/c-3"};
  std::vector<std::string> shuffled = {"/nix/store/c-3", "/nix/store/a-1", "/nix/store/b-2"};
  EXPECT_EQ(layerKey("store", paths), layerKey("store", shuffled));
  EXPECT_EQ(layerKey("store", paths).size(), 64u);
}

TEST(LayerKey, DependsOnKindAndPaths) {
  std::vector<std::string> paths = {"/nix/store/a-1", "/nix/store/b-2"};
  EXPECT_NE(layerKey("store", paths), layerKey("symlinks", paths));
  EXPECT_NE(layerKey("store", paths), layerKey("store", {"/nix/store/a-1"}));
  EXPECT_NE(layerKey("store", paths), layerKey("store", {"/nix/store/a-1", "/nix/store/b-3"}));
  EXPECT_NE(layerKey("store", {"/nix/store/ab"}), layerKey("store", {"/nix/store/a", "b"}));
  EXPECT_NE(layerKey("store", {}), layerKey("symlinks", {}));
}

TEST(LayerKey, IsAStableValue) {
  // The key is persisted in the database: it must not change between builds.
  Sha256 h;
  h.update(std::string("strata-layer-v2\nstore\n/nix/store/a-1\n/nix/store/b-2\n"));
  EXPECT_EQ(layerKey("store", {"/nix/store/b-2", "/nix/store/a-1"}), h.hexDigest());
}

}  // namespace
}  // namespace strata
