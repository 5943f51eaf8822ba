#include "sources/PathSource.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "../support/TestSupport.h"
#include "util/Error.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

/// A small package set: a folder with files, a subfolder, an executable and a symlink.
void makeTree(const std::string& root) {
  test::writeFile(root + "/default.nix", "{ }: { hello = 1; }\n");
  test::writeFile(root + "/lib/util.nix", "x: x\n");
  test::writeFile(root + "/bin/run", "#!/bin/sh\n", 0755);
  test::makeSymlink("lib/util.nix", root + "/link.nix");
  fs::create_directories(root + "/empty");
}

class HashTree : public ::testing::Test {
 protected:
  void SetUp() override {
    tree = dir / "tree";
    makeTree(tree);
    base = hashTree(tree);
  }
  test::TempDir dir;
  std::string tree, base;
};

TEST_F(HashTree, IsAHexSha256) {
  EXPECT_EQ(base.size(), 64u);
  EXPECT_EQ(base.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST_F(HashTree, SameContentSameHashWherever) {
  EXPECT_EQ(hashTree(tree), base);
  std::string copy = dir / "elsewhere/copy";
  makeTree(copy);
  EXPECT_EQ(hashTree(copy), base);
}

TEST_F(HashTree, ContentChangeChangesHash) {
  test::writeFile(tree + "/lib/util.nix", "x: x + 1\n");
  EXPECT_NE(hashTree(tree), base);
}

TEST_F(HashTree, RenameChangesHash) {
  fs::rename(tree + "/lib/util.nix", tree + "/lib/util2.nix");
  EXPECT_NE(hashTree(tree), base);
}

TEST_F(HashTree, MovingAFileToAnotherFolderChangesHash) {
  fs::rename(tree + "/bin/run", tree + "/empty/run");
  EXPECT_NE(hashTree(tree), base);
}

TEST_F(HashTree, ExecutableBitChangesHash) {
  ASSERT_EQ(::chmod((tree + "/default.nix").c_str(), 0755), 0);
  std::string exec = hashTree(tree);
  EXPECT_NE(exec, base);
  ASSERT_EQ(::chmod((tree + "/default.nix").c_str(), 0600), 0);  // other bits do not matter
  EXPECT_EQ(hashTree(tree), base);
}

TEST_F(HashTree, SymlinkTargetChangesHash) {
  fs::remove(tree + "/link.nix");
  test::makeSymlink("default.nix", tree + "/link.nix");
  EXPECT_NE(hashTree(tree), base);
}

TEST_F(HashTree, SymlinkVersusFileWithSameContent) {
  fs::remove(tree + "/link.nix");
  test::writeFile(tree + "/link.nix", "x: x\n");
  EXPECT_NE(hashTree(tree), base);
}

TEST_F(HashTree, NewEmptyFolderChangesHash) {
  fs::create_directories(tree + "/new");
  EXPECT_NE(hashTree(tree), base);
}

TEST_F(HashTree, GitFolderIsIgnored) {
  test::writeFile(tree + "/.git/HEAD", "ref: refs/heads/main\n");
  test::writeFile(tree + "/.git/objects/ab/cdef", "blob");
  EXPECT_EQ(hashTree(tree), base);
  test::writeFile(tree + "/lib/.git", "gitdir: ../x\n");  // any entry named .git
  EXPECT_EQ(hashTree(tree), base);
  test::writeFile(tree + "/.gitignore", "result\n");  // but not other dot files
  EXPECT_NE(hashTree(tree), base);
}

TEST_F(HashTree, FileAndFolderNamesAreNotConfused) {
  // "a/b" as a folder with a file versus a file literally named differently.
  std::string t1 = dir / "t1", t2 = dir / "t2";
  test::writeFile(t1 + "/ab", "1");
  test::writeFile(t2 + "/a/b", "1");
  EXPECT_NE(hashTree(t1), hashTree(t2));
}

TEST_F(HashTree, MissingPathThrows) {
  EXPECT_THROW(hashTree(dir / "missing"), std::runtime_error);
}

TEST_F(HashTree, ASingleFileIsHashedToo) {
  std::string f = dir / "set.nix";
  test::writeFile(f, "{ }");
  std::string h = hashTree(f);
  test::writeFile(f, "{ a = 1; }");
  EXPECT_NE(hashTree(f), h);
}

TEST_F(HashTree, PathSourceResolvesToTheHash) {
  SourceConfig cfg;
  cfg.name = "local";
  cfg.type = "path";
  cfg.path = tree;
  PathSource src(cfg);
  Revision r = src.resolve("latest");
  EXPECT_EQ(r.id, base);
  EXPECT_EQ(r.packageSet, tree);
  EXPECT_EQ(src.resolve(base).id, base);  // its revision is its other tag
  EXPECT_EQ(src.checkout(base).id, base);
  // Any other tag is unknown, and the message says which tags there are.
  try {
    src.resolve("v1");
    FAIL() << "a folder answered tag v1";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::UnknownManifest);
    EXPECT_NE(std::string(e.what()).find("'latest' and its revision " + base), std::string::npos)
        << e.what();
  }

  test::writeFile(tree + "/default.nix", "{ }: { }\n");
  try {
    src.checkout(base);
    FAIL() << "an old revision was served";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::UnknownManifest);
    EXPECT_NE(std::string(e.what()).find("local"), std::string::npos);
  }
}

TEST_F(HashTree, PathSourceWithMissingFolderIsAnInternalError) {
  SourceConfig cfg;
  cfg.name = "gone";
  cfg.type = "path";
  cfg.path = dir / "nothing-here";
  PathSource src(cfg);
  try {
    src.resolve("latest");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Internal);
    EXPECT_NE(std::string(e.what()).find("gone"), std::string::npos);
  }
}

}  // namespace
}  // namespace strata
