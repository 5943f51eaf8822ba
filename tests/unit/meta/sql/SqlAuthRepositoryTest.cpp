#include "meta/sql/SqlAuthRepository.h"

#include <gtest/gtest.h>

#include "TestDatabases.h"

namespace strata {
namespace {

class AuthRepositoryTest : public ::testing::TestWithParam<std::string> {
 protected:
  test::TestDatabase database{GetParam()};
  SqlAuthRepository sql{database.db()};
  AuthRepository& repo = sql;
};

TEST_P(AuthRepositoryTest, UsersAreUniqueAndStoredLiterally) {
  std::string name = "Robert'); DROP TABLE users;--";  // the repository stores what it gets
  EXPECT_TRUE(repo.addUser(name, "hash'\"", 5));
  EXPECT_FALSE(repo.addUser(name, "other", 6));
  auto u = repo.findUser(name);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->name, name);
  EXPECT_EQ(u->passwordHash, "hash'\"");
  EXPECT_EQ(u->createdAt, 5);
  EXPECT_EQ(repo.findUserById(u->id)->name, name);
  EXPECT_FALSE(repo.findUser("robert"));
  EXPECT_EQ(repo.listUsers().size(), 1u);
  EXPECT_EQ(repo.listUsers()[0].passwordHash, "");  // listing never reads hashes
}

TEST_P(AuthRepositoryTest, TheAnonymousTeamIsBuiltIn) {
  auto t = repo.findTeam("anonymous");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->builtin);
  EXPECT_FALSE(repo.addTeam("anonymous", 1));
}

TEST_P(AuthRepositoryTest, MembershipsAndGrantsOfTeams) {
  repo.addUser("alice", "h", 1);
  repo.addTeam("devs", 1);
  repo.addTeam("ops", 1);
  auto alice = repo.findUser("alice")->id;
  auto devs = repo.findTeam("devs")->id, ops = repo.findTeam("ops")->id;
  EXPECT_TRUE(repo.addMember(ops, alice, 1));
  EXPECT_TRUE(repo.addMember(devs, alice, 1));
  EXPECT_FALSE(repo.addMember(devs, alice, 2));
  EXPECT_EQ(repo.teamsOf(alice), (std::vector<std::string>{"devs", "ops"}));
  EXPECT_TRUE(repo.addGrant(devs, "demo", "hel*", "pull", 1));
  EXPECT_FALSE(repo.addGrant(devs, "demo", "hel*", "pull", 1));
  EXPECT_TRUE(repo.addGrant(ops, "*", "*", "admin", 1));
  auto g = repo.grantsOf({"devs", "nosuch"});
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].team, "devs");
  EXPECT_EQ(g[0].packageGlob, "hel*");
  EXPECT_EQ(repo.listGrants().size(), 2u);
  EXPECT_TRUE(repo.removeGrant(devs, "demo", "hel*", "pull"));
  EXPECT_FALSE(repo.removeGrant(devs, "demo", "hel*", "pull"));
  EXPECT_TRUE(repo.removeMember(ops, alice));
  EXPECT_EQ(repo.teamsOf(alice), std::vector<std::string>{"devs"});
}

TEST_P(AuthRepositoryTest, TheDatabaseRefusesUnknownActions) {
  repo.addTeam("devs", 1);
  EXPECT_ANY_THROW(repo.addGrant(repo.findTeam("devs")->id, "demo", "*", "push", 1));
}

TEST_P(AuthRepositoryTest, TokenNamesAreUniqueAmongActiveTokensOnly) {
  repo.addUser("alice", "h", 1);
  auto alice = repo.findUser("alice")->id;
  EXPECT_TRUE(repo.addToken(alice, "ci", "hash1", 10, std::nullopt));
  EXPECT_FALSE(repo.addToken(alice, "ci", "hash2", 11, std::nullopt));
  EXPECT_TRUE(repo.revokeToken(alice, "ci", 12));
  EXPECT_FALSE(repo.revokeToken(alice, "ci", 13));
  EXPECT_TRUE(repo.addToken(alice, "ci", "hash3", 14, 1000));
  auto list = repo.listTokens(alice);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].revokedAt, std::optional<std::int64_t>(12));
  EXPECT_FALSE(list[0].expiresAt);
  EXPECT_FALSE(list[1].revokedAt);
  EXPECT_EQ(list[1].expiresAt, std::optional<std::int64_t>(1000));
  EXPECT_TRUE(list[1].activeAt(999));
  EXPECT_FALSE(list[1].activeAt(1000));
  EXPECT_FALSE(list[0].activeAt(0));

  std::string stored;
  auto t = repo.findTokenBySecretHash("hash3", stored);
  ASSERT_TRUE(t);
  EXPECT_EQ(stored, "hash3");
  EXPECT_EQ(t->user, "alice");
  EXPECT_FALSE(repo.findTokenBySecretHash("hash9", stored));
  repo.touchToken(t->id, 500);
  EXPECT_EQ(repo.findTokenById(t->id)->lastUsedAt, std::optional<std::int64_t>(500));
  repo.touchToken(t->id, 530);  // within a minute: no write
  EXPECT_EQ(repo.findTokenById(t->id)->lastUsedAt, std::optional<std::int64_t>(500));
}

TEST_P(AuthRepositoryTest, AuditLogNewestFirstAndFilteredByKind) {
  repo.audit({0, 1, "pull", "alice", "10.0.0.1", "demo/hello:latest", "revision r"});
  repo.audit({0, 2, "denied", "", "10.0.0.2", "demo/cowsay", "no grant"});
  repo.audit({0, 3, "pull", "bob", "10.0.0.3", "demo/hello:latest", "revision r"});
  auto all = repo.listAudit(10);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].actor, "bob");
  auto pulls = repo.listAudit(10, "pull");
  ASSERT_EQ(pulls.size(), 2u);
  EXPECT_EQ(repo.listAudit(1).size(), 1u);
  EXPECT_EQ(repo.listAudit(10, "denied")[0].clientAddress, "10.0.0.2");
}

INSTANTIATE_TEST_SUITE_P(Engines, AuthRepositoryTest, ::testing::ValuesIn(test::testEngines()),
                         test::engineName);

}  // namespace
}  // namespace strata
