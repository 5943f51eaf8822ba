#include "auth/AccessController.h"

#include <gtest/gtest.h>

#include "AuthTestSupport.h"
#include "util/Error.h"

namespace strata {
namespace {

using Strings = std::vector<std::string>;

GrantRecord pull(const std::string& source, const std::string& glob) {
  return {"t", source, glob, "pull", 0};
}

TEST(AccessDecisionTest, EveryPackageNeedsAGrant) {
  std::vector<GrantRecord> g = {pull("demo", "hel*"), pull("demo", "busybox")};
  EXPECT_EQ(AccessController::notGranted(g, "demo", {"busybox", "hello"}), Strings{});
  EXPECT_EQ(AccessController::notGranted(g, "demo", {"busybox", "cowsay", "hello", "zsh"}),
            (Strings{"cowsay", "zsh"}));
}

TEST(AccessDecisionTest, SourceMustMatchOrBeStar) {
  std::vector<GrantRecord> g = {pull("other", "*")};
  EXPECT_EQ(AccessController::notGranted(g, "demo", {"hello"}), Strings{"hello"});
  g.push_back(pull("*", "hello"));
  EXPECT_EQ(AccessController::notGranted(g, "demo", {"hello"}), Strings{});
  EXPECT_EQ(AccessController::notGranted(g, "demo", {"hello", "cowsay"}), Strings{"cowsay"});
}

TEST(AccessDecisionTest, AdminGrantsDoNotAllowPulling) {
  std::vector<GrantRecord> g = {{"t", "*", "*", "admin", 0}};
  EXPECT_EQ(AccessController::notGranted(g, "demo", {"hello"}), Strings{"hello"});
}

TEST(AccessDecisionTest, NoGrantsDenyEverything) {
  EXPECT_EQ(AccessController::notGranted({}, "demo", {"b", "a", "a"}), (Strings{"a", "b"}));
}

TEST(AccessDecisionTest, GlobsIgnoreCaseAndCoverNestedSets) {
  std::vector<GrantRecord> g = {pull("np", "python3Packages.*")};
  EXPECT_EQ(AccessController::notGranted(g, "np", {"python3packages.requests"}), Strings{});
  EXPECT_EQ(AccessController::notGranted(g, "np", {"python3packages"}), Strings{"python3packages"});
}

TEST(AccessDecisionTest, ExemptPackagesNeedNoGrantButTheSourceDoes) {
  std::vector<GrantRecord> g = {pull("np", "hello")};
  EXPECT_EQ(AccessController::notGranted(g, "np", {"cacert", "hello"}, {"cacert"}), Strings{});
  // Only exempt packages: some pull grant on the source is still needed.
  EXPECT_EQ(AccessController::notGranted(g, "np", {"cacert"}, {"cacert"}), Strings{});
  EXPECT_EQ(AccessController::notGranted(g, "demo", {"cacert"}, {"cacert"}), Strings{"cacert"});
}

class AccessControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& r = env.repo;
    ASSERT_TRUE(r.addUser("alice", "x", 1));
    ASSERT_TRUE(r.addUser("bob", "x", 1));
    ASSERT_TRUE(r.addTeam("devs", 1));
    ASSERT_TRUE(r.addTeam("ops", 1));
    auto devs = r.findTeam("devs")->id, ops = r.findTeam("ops")->id,
         anon = r.findTeam("anonymous")->id;
    ASSERT_TRUE(r.addMember(devs, r.findUser("alice")->id, 1));
    ASSERT_TRUE(r.addMember(ops, r.findUser("bob")->id, 1));
    ASSERT_TRUE(r.addGrant(devs, "demo", "hel*", "pull", 1));
    ASSERT_TRUE(r.addGrant(devs, "demo", "busybox", "pull", 1));
    ASSERT_TRUE(r.addGrant(ops, "*", "*", "admin", 1));
    ASSERT_TRUE(r.addGrant(anon, "demo", "cowsay", "pull", 1));
  }

  Subject user(const std::string& name) {
    Subject s;
    s.user = name;
    s.userId = env.repo.findUser(name)->id;
    s.teams = env.repo.teamsOf(s.userId);
    s.method = Subject::Method::Password;
    return s;
  }
  Subject anonymous() {
    Subject s;
    s.teams = {kAnonymousTeam};
    return s;
  }
  ImageRequest image(const Strings& packages, const std::string& source = "demo") {
    ImageRequest r;
    r.name = "x";
    r.source = source;
    r.packages = packages;
    return r;
  }

  test::AuthDb env;
  Config config = test::authTestConfig(false);
  Config anonConfig = test::authTestConfig(true);
};

TEST_F(AccessControllerTest, UsersGetTheirTeamsGrants) {
  AccessController ac(env.repo, config);
  EXPECT_TRUE(ac.mayPull(user("alice"), image({"busybox", "hello"})));
  EXPECT_EQ(ac.deniedPackages(user("alice"), image({"busybox", "cowsay", "hello"})),
            Strings{"cowsay"});
  EXPECT_FALSE(ac.mayPull(user("bob"), image({"hello"})));
  EXPECT_FALSE(ac.mayPull(user("alice"), image({"hello"}, "np")));
}

TEST_F(AccessControllerTest, DenialNamesThePackages) {
  AccessController ac(env.repo, config);
  try {
    ac.requirePull(user("alice"), image({"cowsay", "hello", "zsh"}));
    FAIL() << "allowed";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Denied);
    std::string msg = e.what();
    EXPECT_NE(msg.find("cowsay, zsh"), std::string::npos) << msg;
    EXPECT_NE(msg.find("alice"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'demo'"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("hello"), std::string::npos) << msg;
  }
}

TEST_F(AccessControllerTest, AnonymousTeamAppliesOnlyWithAnonymousPull) {
  AccessController off(env.repo, config), on(env.repo, anonConfig);
  EXPECT_FALSE(off.mayPull(anonymous(), image({"cowsay"})));
  EXPECT_TRUE(on.mayPull(anonymous(), image({"cowsay"})));
  EXPECT_FALSE(on.mayPull(anonymous(), image({"hello"})));
  // Logging in never loses what anonymous callers may do.
  EXPECT_FALSE(off.mayPull(user("alice"), image({"cowsay", "hello"})));
  EXPECT_TRUE(on.mayPull(user("alice"), image({"cowsay", "hello"})));
}

TEST_F(AccessControllerTest, AlwaysIncludedPackagesNeedNoGrant) {
  auto npTeam = env.repo.findTeam("devs")->id;
  ASSERT_TRUE(env.repo.addGrant(npTeam, "np", "hello", "pull", 1));
  AccessController ac(env.repo, config);
  EXPECT_TRUE(ac.mayPull(user("alice"), image({"cacert", "hello"}, "np")));
  EXPECT_FALSE(ac.mayPull(user("bob"), image({"cacert"}, "np")));
}

TEST_F(AccessControllerTest, AdminNeedsAnAdminGrant) {
  AccessController ac(env.repo, config);
  EXPECT_TRUE(ac.isAdmin(user("bob")));
  EXPECT_FALSE(ac.isAdmin(user("alice")));
  EXPECT_FALSE(ac.isAdmin(anonymous()));
}

TEST_F(AccessControllerTest, RevokedGrantsTakeEffectAtOnce) {
  AccessController ac(env.repo, config);
  ASSERT_TRUE(ac.mayPull(user("alice"), image({"hello"})));
  ASSERT_TRUE(env.repo.removeGrant(env.repo.findTeam("devs")->id, "demo", "hel*", "pull"));
  EXPECT_FALSE(ac.mayPull(user("alice"), image({"hello"})));
}

TEST(SubjectTest, MapsOntoTheSdkSubject) {
  Subject s;
  s.user = "alice";
  s.teams = {"a", "b"};
  s.clientAddress = "10.0.0.1";
  sdk::Subject sdk = s.toSdk();
  EXPECT_EQ(sdk.user, "alice");
  EXPECT_EQ(sdk.teams, (Strings{"a", "b"}));
  EXPECT_EQ(sdk.clientAddress, "10.0.0.1");
}

}  // namespace
}  // namespace strata
