#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "../support/TestSupport.h"
#include "storage/FilesystemBlobStore.h"
#include "util/Sha256.h"

namespace strata {
namespace {

TEST(FilesystemBlobStore, PutStatReadRemove) {
  test::TempDir dir;
  FilesystemBlobStore store(dir / "blobs");
  Digest d = store.put("hello blob");
  EXPECT_EQ(d.hex(), Sha256::hex("hello blob"));
  EXPECT_EQ(store.pathOf(d), dir / "blobs/sha256/" + d.hex().substr(0, 2) + "/" + d.hex());
  auto info = store.stat(d);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->size, 10u);
  EXPECT_EQ(test::readFile(store.pathOf(d)), "hello blob");  // the file is where pathOf says
  EXPECT_EQ(store.read(d), "hello blob");
  EXPECT_EQ(store.put("hello blob"), d);  // idempotent
  store.remove(d);
  EXPECT_FALSE(store.stat(d).has_value());
  EXPECT_THROW(store.read(d), std::runtime_error);
}

TEST(FilesystemBlobStore, StatOfAnUnknownDigest) {
  test::TempDir dir;
  FilesystemBlobStore store(dir / "blobs");
  EXPECT_FALSE(store.stat(Digest::ofBytes("never stored")).has_value());
}

TEST(FilesystemBlobStore, WriterPublishesOnlyOnCommit) {
  test::TempDir dir;
  FilesystemBlobStore store(dir / "blobs");
  Digest expected = Digest::ofBytes("abcdef");
  {
    auto w = store.create();
    w->write("abc", 3);
    w->write("def", 3);
    EXPECT_EQ(w->size(), 6u);
    EXPECT_FALSE(store.stat(expected).has_value());
    EXPECT_EQ(w->commit(), expected);
  }
  EXPECT_EQ(store.read(expected), "abcdef");
  {
    auto w = store.create();
    w->write("discarded", 9);
  }  // destroyed without commit
  EXPECT_FALSE(store.stat(Digest::ofBytes("discarded")).has_value());
  EXPECT_TRUE(std::filesystem::is_empty(dir / "blobs/tmp"));
}

TEST(FilesystemBlobStore, CommitRefusesUnexpectedContent) {
  test::TempDir dir;
  FilesystemBlobStore store(dir / "blobs");
  Digest wrong = Digest::ofBytes("something else");
  {
    auto w = store.create();
    w->write("content", 7);
    EXPECT_THROW(w->commit(wrong), std::runtime_error);
  }
  EXPECT_FALSE(store.stat(wrong).has_value());
  EXPECT_FALSE(store.stat(Digest::ofBytes("content")).has_value());
  EXPECT_TRUE(std::filesystem::is_empty(dir / "blobs/tmp"));
}

TEST(FilesystemBlobStore, StartupRemovesLitterOfDeadWritersOnly) {
  test::TempDir dir;
  std::string tmp = dir / "blobs/tmp";
  std::string mine = tmp + "/" + std::to_string(::getpid()) + "-77.part";
  std::string dead = tmp + "/999999999-1.part";  // beyond any pid_max
  std::string junk = tmp + "/junk";
  test::writeFile(mine, "in progress");
  test::writeFile(dead, "left behind");
  test::writeFile(junk, "?");
  FilesystemBlobStore store(dir / "blobs");
  EXPECT_TRUE(std::filesystem::exists(mine));
  EXPECT_FALSE(std::filesystem::exists(dead));
  EXPECT_FALSE(std::filesystem::exists(junk));
}

}  // namespace
}  // namespace strata
