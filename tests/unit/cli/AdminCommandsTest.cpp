#include "cli/AdminCommands.h"

#include <gtest/gtest.h>
#include <utime.h>

#include <ctime>
#include <sstream>
#include <stdexcept>

#include "../support/ServerFixture.h"
#include "storage/GarbageCollector.h"

namespace strata {
namespace {

class AdminCommandsTest : public ::testing::Test {
 protected:
  std::string run(const std::vector<std::string>& verb) {
    BlobCollector collector(
        BlobCollector::Deps{fx.metadata->images(), *fx.blobs, fx.metadata->builds(), 3600},
        "admin-test");
    AdminContext ctx{fx.config, *fx.builds, collector, &fx.auth->admin()};
    ctx.browser = fx.browser.get();
    std::ostringstream out;
    EXPECT_EQ(runAdmin(ctx, verb, out), 0);
    return out.str();
  }
  std::string errorOf(const std::vector<std::string>& verb) {
    try {
      run(verb);
    } catch (const std::exception& e) {
      return e.what();
    }
    ADD_FAILURE() << "no error";
    return "";
  }
  void age(const Digest& d) {
    struct utimbuf t;
    t.actime = t.modtime = std::time(nullptr) - 7200;
    ::utime(static_cast<FilesystemBlobStore&>(*fx.blobs).pathOf(d).c_str(), &t);
  }

  test::ServerFixture fx;
};

TEST_F(AdminCommandsTest, BuildPrintsTheRevisionAndBothDigestsAndRecordsTheTag) {
  ImageRecord image = fx.seed("fx/hello", "latest");
  std::string out = run({"build", "fx/hello:latest"});
  EXPECT_EQ(out, "fx/hello:latest revision " + image.revision + "\n  oci    " + image.ociDigest +
                     "\n  docker " + image.dockerDigest + "\n");
  EXPECT_EQ(fx.metadata->images().tags("fx/hello", "", 10), std::vector<std::string>{"latest"});
}

TEST_F(AdminCommandsTest, RefsPrintsOneLineARef) {
  std::string revision = fx.revision();
  EXPECT_EQ(run({"refs", "fx"}),
            "latest latest " + revision + "\n" + revision + " revision " + revision + "\n");
}

TEST_F(AdminCommandsTest, RefsAndSearchUsageErrors) {
  const std::string searchUsage = "usage: strata admin search SOURCE QUERY [--ref REF] [--n N]";
  EXPECT_EQ(errorOf({"refs"}), "usage: strata admin refs SOURCE");
  EXPECT_EQ(errorOf({"refs", "fx", "more"}), "usage: strata admin refs SOURCE");
  EXPECT_EQ(errorOf({"refs", "nosuch"}), "unknown source 'nosuch'");
  EXPECT_EQ(errorOf({"search", "fx"}), searchUsage);
  EXPECT_EQ(errorOf({"search", "fx", "q", "--frob"}), searchUsage);
  EXPECT_EQ(errorOf({"search", "fx", "q", "--ref"}), searchUsage) << "an option without value";
  EXPECT_NE(errorOf({"search", "fx", "q", "--n", "ten"}).find("--n needs a number"),
            std::string::npos);
  EXPECT_NE(errorOf({"search", "fx", std::string(300, 'q')}).find("longer than 200 bytes"),
            std::string::npos);
}

TEST_F(AdminCommandsTest, BadArgumentsGetOneLineSayingWhy) {
  EXPECT_EQ(errorOf({"build", "fx/hello:-rf"}), "invalid tag '-rf'");
  EXPECT_EQ(errorOf({"build"}), "usage: strata admin build IMAGE[:TAG]");
  EXPECT_EQ(errorOf({"gc", "now"}), "usage: strata admin gc");
  std::string unknown = errorOf({"frobnicate"});
  EXPECT_NE(unknown.find("unknown admin verb 'frobnicate'"), std::string::npos);
  EXPECT_NE(unknown.find("gc"), std::string::npos);
  EXPECT_NE(errorOf({"build", "nosuch/hello"}).find("no package source serves"), std::string::npos);
}

TEST_F(AdminCommandsTest, GcRemovesOnlyOldBlobsNothingRefersTo) {
  ImageRecord image = fx.seed("fx/hello");
  Digest orphan = fx.blobs->put("left behind by a crashed build");
  Digest young = fx.blobs->put("written by a build in progress");
  age(orphan);
  age(*Digest::parse(image.configDigest));
  EXPECT_EQ(run({"gc"}), "removed 1 unreferenced blobs (30 bytes)\n");
  EXPECT_FALSE(fx.blobs->stat(orphan));
  EXPECT_TRUE(fx.blobs->stat(young));
  EXPECT_TRUE(fx.blobs->stat(*Digest::parse(image.configDigest))) << "referenced by an image";
  EXPECT_EQ(run({"gc"}), "removed 0 unreferenced blobs (0 bytes)\n");
}

TEST_F(AdminCommandsTest, GcWaitsForTheReplicaCollectingNow) {
  Digest orphan = fx.blobs->put("left behind by a crashed build");
  age(orphan);
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  ASSERT_TRUE(fx.metadata->builds().takeLease("gc", "other-replica", now, now + 600));
  EXPECT_EQ(errorOf({"gc"}), "another replica is collecting garbage now; try again later");
  EXPECT_TRUE(fx.blobs->stat(orphan));
  fx.metadata->builds().releaseLease("gc", "other-replica");
  EXPECT_EQ(run({"gc"}), "removed 1 unreferenced blobs (30 bytes)\n");
  // Given back when done: the next collection needs no wait.
  EXPECT_TRUE(fx.metadata->builds().takeLease("gc", "other-replica", now, now + 600));
}

}  // namespace
}  // namespace strata
