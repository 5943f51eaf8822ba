#include "auth/AuthAdmin.h"

#include <gtest/gtest.h>

#include "AuthTestSupport.h"
#include "auth/Subject.h"
#include "util/Error.h"
#include "util/Sha256.h"

namespace strata {
namespace {

class AuthAdminTest : public ::testing::Test {
 protected:
  void expectRefused(const std::function<void()>& f, ErrorKind kind, const std::string& part) {
    try {
      f();
      ADD_FAILURE() << "not refused (expected '" << part << "')";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), kind) << e.what();
      std::string msg = e.what();
      EXPECT_NE(msg.find(part), std::string::npos) << msg;
      EXPECT_EQ(msg.find('\n'), std::string::npos) << "one line: " << msg;
      EXPECT_LE(msg.size(), 300u) << msg;
    }
  }

  test::AuthDb env;
  Config config = test::authTestConfig();
  PasswordHasher hasher = test::cheapHasher();
  AuthAdmin admin{env.repo, hasher, config};
  Actor root{"cli:test", ""};
};

TEST_F(AuthAdminTest, NameRule) {
  for (const char* good : {"alice", "a", "Alice.Smith", "ci-bot_2", "alice@example.com", "0day"})
    EXPECT_EQ(AuthAdmin::invalidNameReason(good), "") << good;
  for (std::string bad :
       {std::string(""), std::string(65, 'a'), std::string("-alice"), std::string(".hidden"),
        std::string("a b"), std::string("a'b"), std::string("a\"b"), std::string("a;b"),
        std::string("a/b"), std::string("a:b"), std::string("zo\xc3\xab"), std::string("a\nb"),
        std::string("a\0b", 3), std::string("Robert'); DROP TABLE users;--")})
    EXPECT_NE(AuthAdmin::invalidNameReason(bad), "") << bad;
  EXPECT_EQ(AuthAdmin::invalidNameReason(std::string(64, 'a')), "");
}

TEST_F(AuthAdminTest, HostileNamesAreRefusedInOneLineAndNothingIsStored) {
  for (std::string bad :
       {std::string("Robert'); DROP TABLE users;--"), std::string("\" OR 1=1 --"),
        std::string(10000, 'x'), std::string("zo\xc3\xab"), std::string("evil\nstrata: ok"),
        std::string("\x1b[31mred"), std::string("a\0b", 3)}) {
    expectRefused([&] { admin.addUser(root, bad, "pw"); }, ErrorKind::BadRequest,
                  "invalid user name");
    expectRefused([&] { admin.addTeam(root, bad); }, ErrorKind::BadRequest, "invalid team name");
    expectRefused([&] { admin.createToken(root, bad, "t", std::nullopt); }, ErrorKind::BadRequest,
                  "invalid user name");
  }
  EXPECT_TRUE(admin.users().empty());
  EXPECT_EQ(admin.teams().size(), 1u);  // only the built-in anonymous team
  EXPECT_TRUE(env.repo.listAudit(100).empty());
}

TEST_F(AuthAdminTest, ValuesAreStoredLiterally) {
  // Quotes and SQL in a glob are allowed characters there: they must arrive
  // in the database unchanged (bound parameters), and not be executed.
  admin.addTeam(root, "devs");
  std::string glob = "x);DROP_TABLE_grants;--*";
  EXPECT_TRUE(admin.grant(root, {"devs", "demo", glob, "pull", 0}));
  auto grants = admin.grants();
  ASSERT_EQ(grants.size(), 1u);
  EXPECT_EQ(grants[0].packageGlob, glob);
  admin.addUser(root, "o.brien@example.com", "pa'ss\"word;--");
  auto u = env.repo.findUser("o.brien@example.com");
  ASSERT_TRUE(u);
  EXPECT_TRUE(hasher.verify("pa'ss\"word;--", u->passwordHash));
}

TEST_F(AuthAdminTest, UsersAndPasswords) {
  admin.addUser(root, "alice", "pw");
  expectRefused([&] { admin.addUser(root, "alice", "other"); }, ErrorKind::BadRequest, "exists");
  expectRefused([&] { admin.addUser(root, "bob", ""); }, ErrorKind::BadRequest, "empty");
  expectRefused([&] { admin.addUser(root, "bob", std::string(2000, 'p')); }, ErrorKind::BadRequest,
                "longer");
  expectRefused([&] { admin.addUser(root, "bob", "a\nb"); }, ErrorKind::BadRequest, "line break");
  expectRefused([&] { admin.addUser(root, "anonymous", "pw"); }, ErrorKind::BadRequest, "reserved");
  auto stored = env.repo.findUser("alice");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->passwordHash.rfind("scrypt$", 0), 0u);
  EXPECT_EQ(stored->passwordHash.find("pw$"), std::string::npos);
}

TEST_F(AuthAdminTest, TeamsAndMembers) {
  admin.addUser(root, "alice", "pw");
  admin.addTeam(root, "devs");
  expectRefused([&] { admin.addTeam(root, "devs"); }, ErrorKind::BadRequest, "exists");
  EXPECT_TRUE(admin.addMember(root, "devs", "alice"));
  EXPECT_FALSE(admin.addMember(root, "devs", "alice"));  // idempotent
  expectRefused([&] { admin.addMember(root, "devs", "bob"); }, ErrorKind::UnknownName,
                "no user 'bob'");
  expectRefused([&] { admin.addMember(root, "ops", "alice"); }, ErrorKind::UnknownName,
                "no team 'ops'");
  expectRefused([&] { admin.addMember(root, "anonymous", "alice"); }, ErrorKind::BadRequest,
                "built in");
  auto teams = admin.teams();
  ASSERT_EQ(teams.size(), 2u);
  EXPECT_EQ(teams[1].name, "devs");
  EXPECT_EQ(teams[1].members, std::vector<std::string>{"alice"});
  admin.removeMember(root, "devs", "alice");
  expectRefused([&] { admin.removeMember(root, "devs", "alice"); }, ErrorKind::UnknownName,
                "not a member");
}

TEST_F(AuthAdminTest, GrantsAreCheckedAndRevocable) {
  admin.addTeam(root, "devs");
  EXPECT_TRUE(admin.grant(root, {"devs", "demo", "hel*", "pull", 0}));
  EXPECT_FALSE(admin.grant(root, {"devs", "demo", "hel*", "pull", 0}));
  EXPECT_TRUE(admin.grant(root, {"devs", "*", "python3Packages.*", "pull", 0}));
  EXPECT_TRUE(admin.grant(root, {"devs", "*", "*", "admin", 0}));
  expectRefused(
      [&] {
        admin.grant(root, {"devs", "demo", "*", "push", 0});
      },
      ErrorKind::BadRequest, "use pull or admin");
  expectRefused(
      [&] {
        admin.grant(root, {"devs", "nosuch", "*", "pull", 0});
      },
      ErrorKind::BadRequest, "no source 'nosuch'");
  expectRefused(
      [&] {
        admin.grant(root, {"devs", "demo", "a b", "pull", 0});
      },
      ErrorKind::BadRequest, "invalid package glob");
  expectRefused(
      [&] {
        admin.grant(root, {"devs", "demo", "*", "admin", 0});
      },
      ErrorKind::BadRequest, "whole registry");
  expectRefused(
      [&] {
        admin.grant(root, {"ghosts", "demo", "*", "pull", 0});
      },
      ErrorKind::UnknownName, "no team");
  EXPECT_EQ(admin.grants().size(), 3u);
  admin.revoke(root, {"devs", "demo", "hel*", "pull", 0});
  expectRefused(
      [&] {
        admin.revoke(root, {"devs", "demo", "hel*", "pull", 0});
      },
      ErrorKind::UnknownName, "has no grant");
  EXPECT_EQ(admin.grants().size(), 2u);
}

TEST_F(AuthAdminTest, ApiTokensAreShownOnceAndStoredHashed) {
  admin.addUser(root, "alice", "pw");
  auto created = admin.createToken(root, "alice", "ci", 7);
  EXPECT_EQ(created.secret.rfind("strata_", 0), 0u);
  EXPECT_EQ(created.secret.size(), 7u + 43u);  // 32 random bytes, base64url
  ASSERT_TRUE(created.expiresAt);
  expectRefused([&] { admin.createToken(root, "alice", "ci", std::nullopt); },
                ErrorKind::BadRequest, "already");
  expectRefused([&] { admin.createToken(root, "alice", "x", 0); }, ErrorKind::BadRequest,
                "between 1 and 3650");
  expectRefused([&] { admin.createToken(root, "nobody", "x", std::nullopt); },
                ErrorKind::UnknownName, "no user");
  EXPECT_NE(admin.createToken(root, "alice", "other", std::nullopt).secret, created.secret);

  std::string stored;
  auto rec = env.repo.findTokenBySecretHash(Sha256::hex(created.secret), stored);
  ASSERT_TRUE(rec);
  EXPECT_EQ(stored, Sha256::hex(created.secret));
  EXPECT_EQ(rec->name, "ci");
  EXPECT_EQ(rec->user, "alice");

  admin.revokeToken(root, "alice", "ci");
  expectRefused([&] { admin.revokeToken(root, "alice", "ci"); }, ErrorKind::UnknownName,
                "no active token");
  auto list = admin.tokens("alice");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_TRUE(list[0].revokedAt);  // "ci" keeps its row
}

TEST_F(AuthAdminTest, EveryChangeIsAudited) {
  admin.addUser(root, "alice", "secret-password");
  admin.addTeam(root, "devs");
  admin.addMember(root, "devs", "alice");
  admin.grant(root, {"devs", "demo", "*", "pull", 0});
  auto secret = admin.createToken(root, "alice", "ci", std::nullopt).secret;
  admin.revokeToken(root, "alice", "ci");
  admin.revoke(root, {"devs", "demo", "*", "pull", 0});
  auto rows = env.repo.listAudit(100, "admin");
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows.back().detail, "user add");
  EXPECT_EQ(rows.back().target, "alice");
  EXPECT_EQ(rows.front().detail, "revoke demo * pull");
  for (const auto& r : rows) {
    EXPECT_EQ(r.actor, "cli:test");
    EXPECT_EQ(r.detail.find("secret-password"), std::string::npos);
    EXPECT_EQ(r.detail.find(secret), std::string::npos);
  }
}

}  // namespace
}  // namespace strata
