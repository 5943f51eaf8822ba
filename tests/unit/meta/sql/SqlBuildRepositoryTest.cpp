#include "meta/sql/SqlBuildRepository.h"

#include <gtest/gtest.h>

#include "TestDatabases.h"

namespace strata {
namespace {

class BuildRepositoryTest : public ::testing::TestWithParam<std::string> {
 protected:
  test::TestDatabase database{GetParam()};
  SqlBuildRepository sql{database.db()};
  BuildRepository& repo = sql;
};

TEST_P(BuildRepositoryTest, OneReplicaHoldsAClaimUntilItExpires) {
  EXPECT_TRUE(repo.claim("key", "a", "build-a", 100, 130));
  EXPECT_FALSE(repo.claim("key", "b", "build-b", 110, 140));
  EXPECT_TRUE(repo.claim("other", "b", "build-c", 110, 140));
  auto c = repo.findClaim("key");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->owner, "a");
  EXPECT_EQ(c->buildId, "build-a");
  EXPECT_EQ(c->state, "building");
  EXPECT_EQ(c->expiresAt, 130);
  // Renewed while a lives; taken over once it stopped renewing.
  repo.renewClaim("key", "a", 160);
  repo.renewClaim("key", "b", 900);  // only its owner renews it
  EXPECT_FALSE(repo.claim("key", "b", "build-b", 150, 180));
  EXPECT_TRUE(repo.claim("key", "b", "build-b", 161, 190));
  EXPECT_EQ(repo.findClaim("key")->owner, "b");
  // a's late release does not drop b's claim.
  repo.releaseClaim("key", "a");
  EXPECT_EQ(repo.findClaim("key")->owner, "b");
  repo.releaseClaim("key", "b");
  EXPECT_FALSE(repo.findClaim("key"));
}

TEST_P(BuildRepositoryTest, AFailedClaimCarriesItsErrorUntilTheNextClaim) {
  ASSERT_TRUE(repo.claim("key", "a", "build-a", 100, 130));
  repo.failClaim("key", "a", "build_failed", "builder for 'x' failed", "line 1\nline 2", 140);
  auto c = repo.findClaim("key");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->state, "failed");
  EXPECT_EQ(c->errorKind, "build_failed");
  EXPECT_EQ(c->errorMessage, "builder for 'x' failed");
  EXPECT_EQ(c->errorDetail, "line 1\nline 2");
  // A failed build is not renewed, and the next pull tries again at once.
  repo.renewClaim("key", "a", 500);
  EXPECT_EQ(repo.findClaim("key")->expiresAt, 140);
  EXPECT_TRUE(repo.claim("key", "b", "build-b", 101, 131));
  c = repo.findClaim("key");
  EXPECT_EQ(c->state, "building");
  EXPECT_EQ(c->errorKind, "");
  EXPECT_EQ(c->buildId, "build-b");
}

TEST_P(BuildRepositoryTest, DroppingClaimsForgetsAll) {
  repo.claim("k1", "a", "1", 1, 100);
  repo.claim("k2", "b", "2", 1, 100);
  repo.dropClaims();
  EXPECT_FALSE(repo.findClaim("k1"));
  EXPECT_TRUE(repo.claim("k2", "c", "3", 2, 100));
}

TEST_P(BuildRepositoryTest, ClaimsAreSharedBetweenConnections) {
  auto other = database.open();
  SqlBuildRepository second(*other);
  EXPECT_TRUE(repo.claim("key", "a", "build-a", 100, 130));
  EXPECT_FALSE(second.claim("key", "b", "build-b", 100, 130));
  EXPECT_EQ(second.findClaim("key")->owner, "a");
}

BuildRecord build(const std::string& id, std::int64_t createdAt) {
  BuildRecord b;
  b.id = id;
  b.image = "demo/shell/hello:latest";
  b.source = "demo";
  b.revision = "abc";
  b.state = "running";
  b.owner = "a";
  b.createdMs = createdAt;
  return b;
}

TEST_P(BuildRepositoryTest, BuildsAndTheirLogs) {
  repo.saveBuild(build("b1", 10), 100);
  repo.appendLog("b1", 0, {"one", "two 'quoted'"}, 100);
  repo.appendLog("b1", 2, {"three"}, 100);
  repo.appendLog("b1", 2, {"three again"}, 100);  // a repeated flush adds nothing
  auto b = repo.findBuild("b1", 100);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->state, "running");
  EXPECT_EQ(b->log, (std::vector<std::string>{"one", "two 'quoted'", "three"}));
  EXPECT_FALSE(b->logTruncated);
  EXPECT_EQ(repo.findBuild("b1", 2)->log, (std::vector<std::string>{"two 'quoted'", "three"}));

  BuildRecord done = build("b1", 10);
  done.state = "succeeded";
  done.finishedAt = 20;
  done.ociDigest = "sha256:aa";
  done.dockerDigest = "sha256:bb";
  repo.saveBuild(done, 100);
  b = repo.findBuild("b1", 100);
  EXPECT_EQ(b->state, "succeeded");
  EXPECT_EQ(b->finishedAt, 20);
  EXPECT_EQ(b->ociDigest, "sha256:aa");
  EXPECT_EQ(b->log.size(), 3u);
  EXPECT_FALSE(repo.findBuild("nosuch", 10));
}

TEST_P(BuildRepositoryTest, LogsKeepTheirLastLines) {
  repo.saveBuild(build("b1", 10), 100);
  repo.appendLog("b1", 0, {"1", "2", "3"}, 2);
  repo.appendLog("b1", 3, {"4"}, 2);
  auto b = repo.findBuild("b1", 100);
  EXPECT_EQ(b->log, (std::vector<std::string>{"3", "4"}));
  EXPECT_TRUE(b->logTruncated);
}

TEST_P(BuildRepositoryTest, RecentBuildsNewestFirstAndBounded) {
  for (int i = 0; i < 70; ++i) repo.saveBuild(build("b" + std::to_string(i), 100 + i), 10);
  auto recent = repo.recentBuilds(5);
  ASSERT_EQ(recent.size(), 5u);
  EXPECT_EQ(recent[0].id, "b69");
  EXPECT_EQ(recent[4].id, "b65");
  EXPECT_TRUE(recent[0].log.empty());
  // Old builds are forgotten now and then (every 64 saves), down to `keep`.
  EXPECT_LE(repo.recentBuilds(100).size(), 10u + 63u);
  EXPECT_LT(repo.recentBuilds(100).size(), 70u);
}

TEST_P(BuildRepositoryTest, LeasesHaveOneOwnerUntilTheyExpire) {
  EXPECT_TRUE(repo.takeLease("gc", "a", 100, 200));
  EXPECT_TRUE(repo.takeLease("gc", "a", 150, 250));  // renewed by its owner
  EXPECT_FALSE(repo.takeLease("gc", "b", 200, 300));
  EXPECT_TRUE(repo.takeLease("gc", "b", 251, 350));
  EXPECT_FALSE(repo.takeLease("gc", "a", 260, 360));
}

INSTANTIATE_TEST_SUITE_P(Engines, BuildRepositoryTest, ::testing::ValuesIn(test::testEngines()),
                         test::engineName);

}  // namespace
}  // namespace strata
