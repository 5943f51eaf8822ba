#include "builder/BuildClaims.h"

#include <gtest/gtest.h>

#include "../meta/sql/TestDatabases.h"
#include "meta/sql/SqlBuildRepository.h"
#include "util/Error.h"

namespace strata {
namespace {

class BuildClaimsTest : public ::testing::Test {
 protected:
  test::TestDatabase database{"sqlite"};
  SqlBuildRepository repo{database.db()};
};

TEST_F(BuildClaimsTest, OwnersAreUniquePerProcessObject) {
  std::string a = BuildClaims::newOwner(), b = BuildClaims::newOwner();
  EXPECT_NE(a, b);
  EXPECT_NE(a.find(":" + std::to_string(::getpid()) + ":"), std::string::npos);
}

TEST_F(BuildClaimsTest, TheWaitingReplicaGetsTheErrorOfTheBuilder) {
  BuildClaims a(repo, "a", 30), b(repo, "b", 30);
  ASSERT_TRUE(a.claim("key", "build-a"));
  EXPECT_FALSE(b.claim("key", "build-b"));
  a.fail("key", std::make_exception_ptr(
                    Error(ErrorKind::UnknownManifest, "no package 'nope'", "in source demo")));
  auto claim = b.find("key");
  ASSERT_TRUE(claim);
  try {
    std::rethrow_exception(BuildClaims::errorOf(*claim));
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::UnknownManifest);
    EXPECT_STREQ(e.what(), "no package 'nope'");
    EXPECT_EQ(e.detail(), "in source demo");
  }
  // Kinds that mean nothing to a waiting replica arrive as a failed build.
  a.fail("key", std::make_exception_ptr(std::runtime_error("disk full")));
  try {
    std::rethrow_exception(BuildClaims::errorOf(*b.find("key")));
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BuildFailed);
    EXPECT_STREQ(e.what(), "disk full");
  }
}

TEST_F(BuildClaimsTest, RenewalKeepsAClaimAndReleaseLetsOthersClaim) {
  BuildClaims a(repo, "a", 30), b(repo, "b", 30);
  ASSERT_TRUE(a.claim("key", "build-a"));
  auto before = a.find("key")->expiresAt;
  a.renew();
  EXPECT_GE(a.find("key")->expiresAt, before);
  EXPECT_FALSE(b.claim("key", "build-b"));
  a.release("key");
  EXPECT_TRUE(b.claim("key", "build-b"));
}

TEST_F(BuildClaimsTest, AClaimLetGoIsNotRenewedWhenTheDatabaseMissedIt) {
  BuildClaims a(repo, "a", 30);
  ASSERT_TRUE(a.claim("key", "build-a"));
  repo.renewClaim("key", "a", 100);  // as if its lease were about to run out
  // The release does not reach the database (the row stays), yet the
  // claim is no longer renewed: it expires and another replica takes it.
  database.db().session() << "CREATE TRIGGER keep BEFORE DELETE ON build_claims BEGIN SELECT "
                             "RAISE(ABORT, 'database down'); END",
      Poco::Data::Keywords::now;
  a.release("key");
  a.renew();
  EXPECT_EQ(a.find("key")->expiresAt, 100);
}

TEST_F(BuildClaimsTest, AFailingDatabaseIsNeverThrownFromTheKeeper) {
  BuildClaims a(repo, "a", 30);
  ASSERT_TRUE(a.claim("key", "build-a"));
  database.db().session() << "DROP TABLE build_claims", Poco::Data::Keywords::now;
  EXPECT_NO_THROW(a.renew());
  EXPECT_NO_THROW(a.release("key"));
  EXPECT_NO_THROW(a.fail("key", std::make_exception_ptr(std::runtime_error("x"))));
  EXPECT_THROW(a.claim("key", "again"), Error);
}

}  // namespace
}  // namespace strata
