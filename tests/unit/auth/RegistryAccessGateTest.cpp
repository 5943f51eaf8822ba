#include "auth/RegistryAccessGate.h"

#include <gtest/gtest.h>

#include <ctime>

#include "../support/ServerFixture.h"
#include "AuthTestSupport.h"
#include "auth/AuthService.h"
#include "auth/Secrets.h"
#include "auth/TokenService.h"
#include "plugins/PolicyRegistry.h"
#include "util/Error.h"
#include "util/Metrics.h"

namespace strata {
namespace {

std::string basic(const std::string& user, const std::string& secret) {
  return "Basic " + secrets::base64(user + ":" + secret);
}

/// Calls `f`, expecting AuthenticationRequired; returns its challenge.
template <typename F>
std::string challengeOf(F f) {
  try {
    f();
    ADD_FAILURE() << "no AuthenticationRequired";
  } catch (const AuthenticationRequired& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unauthorized);
    return e.challenge();
  }
  return "";
}

template <typename F>
std::string deniedMessage(F f) {
  try {
    f();
    ADD_FAILURE() << "not denied";
  } catch (const AuthenticationRequired& e) {
    ADD_FAILURE() << "asked to log in instead: " << e.what();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Denied) << e.what();
    return e.what();
  }
  return "";
}

/// Users alice (team devs, pull grant on demo/hello*) and bob (no team), each
/// with an API token; admin root (admin grant); a policy denying "forbidden".
class RegistryAccessGateTest : public ::testing::Test {
 protected:
  explicit RegistryAccessGateTest(bool anonymousPull = false)
      : config(makeConfig(anonymousPull)),
        auth(config, env.repo, /*withTokens=*/true),
        gate(config, &auth, policies, metrics) {}

  Config makeConfig(bool anonymousPull) {
    Config c = test::authTestConfig(anonymousPull);
    c.dataDir = env.dir / "data";
    c.publicUrl = "https://registry.example";
    return c;
  }

  void SetUp() override {
    policies.add("deny-test", policy, "test-plugin");
    Actor cli{"cli:test", ""};
    auto now = static_cast<std::int64_t>(std::time(nullptr));
    for (const char* user : {"alice", "bob", "root"}) {
      env.repo.addUser(user, "not-a-password-hash", now);  // logins here use API tokens
      tokens[user] = auth.admin().createToken(cli, user, "t", std::nullopt).secret;
    }
    auth.admin().addTeam(cli, "devs");
    auth.admin().addMember(cli, "devs", "alice");
    auth.admin().grant(cli, {"devs", "demo", "hello*", "pull", 0});
    auth.admin().addTeam(cli, "ops");
    auth.admin().addMember(cli, "ops", "root");
    auth.admin().grant(cli, {"ops", "*", "*", "admin", 0});
  }

  Caller as(const std::string& user, Requirement r = Requirement::Pull,
            const std::string& name = "demo/hello") {
    return gate.admit(r, name, basic(user, tokens[user]), "10.0.0.9");
  }
  ImageRequest image(const std::string& name) { return parseImageName(name, config.sources); }
  std::vector<AuditRecord> audit(const std::string& kind) { return env.repo.listAudit(100, kind); }

  test::AuthDb env;
  Config config;
  AuthService auth;
  PolicyRegistry policies;
  Metrics metrics;
  std::shared_ptr<test::DenyPackagePolicy> policy =
      std::make_shared<test::DenyPackagePolicy>("forbidden");
  RegistryAccessGate gate;
  std::map<std::string, std::string> tokens;
};

TEST_F(RegistryAccessGateTest, OpenRoutesAdmitAnyoneWithoutAuthenticating) {
  Caller c = gate.admit(Requirement::Open, "", "Basic garbage", "10.0.0.9");
  EXPECT_FALSE(c.subject);
  EXPECT_EQ(c.clientAddress, "10.0.0.9");
}

TEST_F(RegistryAccessGateTest, RoutesWithoutCredentialsGetTheirChallenge) {
  std::string c = challengeOf([&] { gate.admit(Requirement::Registry, "", "", "1.2.3.4"); });
  EXPECT_EQ(c, "Bearer realm=\"https://registry.example/token\",service=\"strata\"");
  c = challengeOf([&] { gate.admit(Requirement::Pull, "demo/hello", "", "1.2.3.4"); });
  EXPECT_EQ(c,
            "Bearer realm=\"https://registry.example/token\",service=\"strata\",scope=\"repository:"
            "demo/hello:pull\"");
  // Only valid names go into the header.
  c = challengeOf([&] { gate.admit(Requirement::Pull, "demo/Bad\"Name", "", "1.2.3.4"); });
  EXPECT_EQ(c.find("scope"), std::string::npos) << c;
  c = challengeOf([&] { gate.admit(Requirement::Catalog, "", "", "1.2.3.4"); });
  EXPECT_NE(c.find("scope=\"registry:catalog:*\""), std::string::npos) << c;
  // The admin API is for scripts: Basic.
  c = challengeOf([&] { gate.admit(Requirement::Admin, "", "", "1.2.3.4"); });
  EXPECT_EQ(c, "Basic realm=\"strata\"");
  c = challengeOf(
      [&] { gate.admit(Requirement::Pull, "demo/hello", basic("alice", "wrong"), "1.2.3.4"); });
  EXPECT_NE(c.find("Bearer"), std::string::npos);
  EXPECT_NE(metrics.render().find("strata_auth_unauthorized_total 6\n"), std::string::npos)
      << metrics.render();
}

TEST_F(RegistryAccessGateTest, AdminRoutesNeedAnAdminGrant) {
  EXPECT_EQ(as("root", Requirement::Admin).subject->user, "root");
  std::string m = deniedMessage([&] { as("alice", Requirement::Admin); });
  EXPECT_NE(m.find("alice"), std::string::npos);
}

TEST_F(RegistryAccessGateTest, PullsAreDecidedPackageByPackageAndDenialsAudited) {
  EXPECT_NO_THROW(gate.authorizePull(as("alice"), image("demo/hello")));
  std::string m =
      deniedMessage([&] { gate.authorizePull(as("alice"), image("demo/hello/shell")); });
  EXPECT_NE(m.find("busybox"), std::string::npos) << m;
  m = deniedMessage([&] { gate.authorizePull(as("bob"), image("demo/hello")); });
  EXPECT_NE(m.find("user 'bob'"), std::string::npos) << m;
  auto denied = audit("denied");
  ASSERT_EQ(denied.size(), 2u);
  EXPECT_EQ(denied[0].actor, "bob");
  EXPECT_EQ(denied[0].target, "demo/hello");
  EXPECT_EQ(denied[0].clientAddress, "10.0.0.9");
}

TEST_F(RegistryAccessGateTest, TokensCarryOnlyTheirScope) {
  auto issued = auth.tokens()->issue("alice", {Scope{"repository", "demo/hello", {"pull"}}},
                                     std::nullopt, static_cast<std::int64_t>(std::time(nullptr)));
  Caller c = gate.admit(Requirement::Pull, "demo/hello-world", "Bearer " + issued.jwt, "1.2.3.4");
  EXPECT_NO_THROW(gate.authorizePull(c, image("demo/hello")));
  // Granted by the live grants, but not by this token: fetch another one.
  std::string challenge = challengeOf([&] { gate.authorizePull(c, image("demo/hello-world")); });
  EXPECT_NE(challenge.find("error=\"insufficient_scope\""), std::string::npos) << challenge;
  EXPECT_NE(challenge.find("repository:demo/hello-world:pull"), std::string::npos) << challenge;
}

TEST_F(RegistryAccessGateTest, PoliciesDenyWithTheirReasonAndAreAuditedAndCounted) {
  Caller alice = as("alice");
  EXPECT_NO_THROW(
      gate.checkPolicies(alice, "demo/hello", {"demo", {"hello"}, "", "amd64", nullptr}));
  std::string m = deniedMessage([&] {
    gate.checkPolicies(alice, "demo/forbidden", {"demo", {"forbidden"}, "r1", "amd64", nullptr});
  });
  EXPECT_EQ(m,
            "access denied by policy 'deny-test' (plugin test-plugin): package forbidden is "
            "not allowed");
  ASSERT_EQ(policy->calls.size(), 2u);
  EXPECT_EQ(policy->calls[1].user, "alice");
  EXPECT_EQ(policy->calls[1].revision, "r1");
  auto denied = audit("denied");
  ASSERT_EQ(denied.size(), 1u);
  EXPECT_EQ(denied[0].target, "demo/forbidden");
  EXPECT_NE(metrics.render().find("strata_policy_denied_total{policy=\"deny-test\"} 1"),
            std::string::npos);
  EXPECT_TRUE(gate.hasPolicies());
}

TEST_F(RegistryAccessGateTest, ServedPullsAreAuditedByTagOrDigest) {
  Caller alice = as("alice");
  gate.recordPull(alice, "demo/hello", "latest", "rev1", "sha256:abc");
  gate.recordPull(alice, "demo/hello", "sha256:abc", "rev1", "sha256:abc");
  auto pulls = audit("pull");
  ASSERT_EQ(pulls.size(), 2u);
  EXPECT_EQ(pulls[1].target, "demo/hello:latest");
  EXPECT_EQ(pulls[1].detail, "revision rev1 digest sha256:abc");
  EXPECT_EQ(pulls[0].target, "demo/hello@sha256:abc");
}

TEST_F(RegistryAccessGateTest, ThePullFilterReadsTheGrantsOnce) {
  auto mayPull = gate.pullFilter(as("alice"));
  ASSERT_TRUE(mayPull);
  EXPECT_TRUE(mayPull(image("demo/hello")));
  EXPECT_TRUE(mayPull(image("demo/hello-world")));
  EXPECT_FALSE(mayPull(image("demo/other")));
  EXPECT_FALSE(mayPull(image("np/hello")));
  auth.admin().grant(Actor{"cli:test", ""}, {"devs", "np", "*", "pull", 0});
  EXPECT_FALSE(mayPull(image("np/hello"))) << "the grants were read when the filter was made";
  EXPECT_TRUE(gate.pullFilter(as("alice"))(image("np/hello")));
}

TEST_F(RegistryAccessGateTest, ACallerNobodyAdmittedMayPullNothing) {
  Caller nobody{std::nullopt, "10.0.0.9"};
  challengeOf([&] { gate.authorizePull(nobody, image("demo/hello")); });
  auto mayPull = gate.pullFilter(nobody);
  ASSERT_TRUE(mayPull);
  EXPECT_FALSE(mayPull(image("demo/hello")));
}

class AnonymousPullGateTest : public RegistryAccessGateTest {
 protected:
  AnonymousPullGateTest() : RegistryAccessGateTest(/*anonymousPull=*/true) {}
};

TEST_F(AnonymousPullGateTest, AnonymousCallersPullWhatTheAnonymousTeamMay) {
  auth.admin().grant(Actor{"cli:test", ""}, {"anonymous", "np", "*", "pull", 0});
  Caller anonymous = gate.admit(Requirement::Pull, "np/hello", "", "1.2.3.4");
  ASSERT_TRUE(anonymous.subject);
  EXPECT_TRUE(anonymous.subject->anonymous());
  EXPECT_NO_THROW(gate.authorizePull(anonymous, image("np/hello")));
  // Anonymous callers denied are told to log in, not that they may not.
  std::string c = challengeOf([&] { gate.authorizePull(anonymous, image("demo/hello")); });
  EXPECT_NE(c.find("repository:demo/hello:pull"), std::string::npos);
  // GET /v2/ still challenges: that is how Docker clients find the token service.
  challengeOf([&] { gate.admit(Requirement::Registry, "", "", "1.2.3.4"); });
}

TEST(RegistryAccessGateWithAuthOff, NobodyAuthenticatesButPoliciesStillJudge) {
  Config config = test::authTestConfig();
  config.auth.enabled = false;
  PolicyRegistry policies;
  policies.add("deny-test", std::make_shared<test::DenyPackagePolicy>("forbidden"), "p");
  Metrics metrics;
  RegistryAccessGate gate(config, nullptr, policies, metrics);
  for (Requirement r :
       {Requirement::Registry, Requirement::Pull, Requirement::Catalog, Requirement::Admin}) {
    Caller c = gate.admit(r, "demo/hello", "Basic bad", "10.1.1.1");
    EXPECT_FALSE(c.subject);
    EXPECT_EQ(c.clientAddress, "10.1.1.1");
  }
  Caller nobody{std::nullopt, "10.1.1.1"};
  ImageRequest forbidden = parseImageName("demo/forbidden", config.sources);
  EXPECT_NO_THROW(gate.authorizePull(nobody, forbidden));
  EXPECT_FALSE(gate.pullFilter(nobody)) << "no filter: every name may be listed";
  EXPECT_THROW(gate.checkPolicies(nobody, "demo/forbidden",
                                  {"demo", forbidden.packages, "", "amd64", nullptr}),
               Error);
  EXPECT_NO_THROW(gate.recordPull(nobody, "demo/hello", "latest", "r", "d"));
}

}  // namespace
}  // namespace strata
