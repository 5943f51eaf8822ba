#include "cli/AuthCommands.h"

#include <gtest/gtest.h>

#include <sstream>

#include "AuthTestSupport.h"
#include "auth/AuthAdmin.h"
#include "util/Error.h"

namespace strata {
namespace {

class AuthCommandsTest : public ::testing::Test {
 protected:
  /// Runs a verb; returns stdout. Throws like the real command.
  std::string run(const std::vector<std::string>& verb, const std::string& stdinText = "") {
    std::istringstream in(stdinText);
    std::ostringstream out;
    EXPECT_EQ(runAuthCommand(admin, verb, in, out), 0);
    return out.str();
  }
  std::string failure(const std::vector<std::string>& verb, const std::string& stdinText = "") {
    try {
      run(verb, stdinText);
    } catch (const std::exception& e) {
      std::string msg = e.what();
      EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
      return msg;
    }
    ADD_FAILURE() << "did not fail";
    return "";
  }

  test::AuthDb env;
  Config config = test::authTestConfig();
  PasswordHasher hasher = test::cheapHasher();
  AuthAdmin admin{env.repo, hasher, config};
};

TEST_F(AuthCommandsTest, TheVerbs) {
  for (const char* v : {"user", "team", "grant", "revoke", "token", "audit"})
    EXPECT_TRUE(isAuthVerb(v));
  EXPECT_FALSE(isAuthVerb("build"));
  EXPECT_EQ(cliActorName().rfind("cli:", 0), 0u);
}

TEST_F(AuthCommandsTest, UserAddReadsOneLineOfStdin) {
  EXPECT_EQ(run({"user", "add", "alice"}, "pa ss word\nsecond line ignored\n"),
            "user alice added\n");
  auto u = env.repo.findUser("alice");
  ASSERT_TRUE(u);
  EXPECT_TRUE(hasher.verify("pa ss word", u->passwordHash));
  run({"user", "add", "bob"}, "crlf\r\n");
  EXPECT_TRUE(hasher.verify("crlf", env.repo.findUser("bob")->passwordHash));
  EXPECT_EQ(run({"user", "list"}), "alice\nbob\n");
}

TEST_F(AuthCommandsTest, UserAddRefusesEmptyOrMissingPasswordsAndBadNames) {
  EXPECT_NE(failure({"user", "add", "alice"}, "").find("no password"), std::string::npos);
  EXPECT_NE(failure({"user", "add", "alice"}, "\n").find("empty"), std::string::npos);
  // The name is checked before the password is read.
  EXPECT_NE(failure({"user", "add", "a'; DROP TABLE users;--"}, "").find("invalid user name"),
            std::string::npos);
  EXPECT_TRUE(env.repo.listUsers().empty());
  EXPECT_NE(failure({"user", "add"}).find("usage: strata admin user add NAME"), std::string::npos);
}

TEST_F(AuthCommandsTest, TeamsGrantsAndTokens) {
  run({"user", "add", "alice"}, "pw\n");
  EXPECT_EQ(run({"team", "add", "devs"}), "team devs added\n");
  EXPECT_EQ(run({"team", "add-member", "devs", "alice"}), "user alice added to team devs\n");
  EXPECT_EQ(run({"team", "add-member", "devs", "alice"}), "user alice already in team devs\n");
  EXPECT_EQ(run({"team", "list"}), "anonymous (built-in):\ndevs: alice\n");
  EXPECT_EQ(run({"grant", "devs", "demo", "hel*", "pull"}),
            "granted: team devs may pull hel* from demo\n");
  EXPECT_EQ(run({"grant", "devs", "*", "*", "admin"}), "granted: team devs may admin * from *\n");
  EXPECT_EQ(run({"grant", "list"}), "devs * * admin\ndevs demo hel* pull\n");
  EXPECT_NE(failure({"grant", "devs", "demo", "*", "push"}).find("pull or admin"),
            std::string::npos);
  EXPECT_NE(failure({"grant", "devs", "demo"}).find("usage:"), std::string::npos);
  run({"revoke", "devs", "demo", "hel*", "pull"});
  EXPECT_EQ(run({"grant", "list"}), "devs * * admin\n");

  // token create prints the secret and nothing else.
  std::string out = run({"token", "create", "alice", "ci", "--expires-days", "30"});
  ASSERT_EQ(out.back(), '\n');
  std::string secret = out.substr(0, out.size() - 1);
  EXPECT_EQ(secret.rfind("strata_", 0), 0u);
  EXPECT_EQ(secret.find_first_of(" \n\t"), std::string::npos);
  EXPECT_NE(run({"token", "list", "alice"}).find("ci created "), std::string::npos);
  EXPECT_NE(failure({"token", "create", "alice", "x", "--expires-days", "abc"}).find("number"),
            std::string::npos);
  EXPECT_NE(failure({"token", "create", "alice", "x", "--bogus"}).find("usage:"),
            std::string::npos);
  EXPECT_EQ(run({"token", "revoke", "alice", "ci"}), "token ci of user alice revoked\n");
  EXPECT_NE(failure({"token", "revoke", "alice", "ci"}).find("no active token"), std::string::npos);

  std::string audit = run({"audit", "3"});
  EXPECT_NE(audit.find("token revoke ci"), std::string::npos) << audit;
  EXPECT_EQ(audit.find(secret), std::string::npos);
}

}  // namespace
}  // namespace strata
