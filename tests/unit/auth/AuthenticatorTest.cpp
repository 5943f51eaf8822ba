#include "auth/Authenticator.h"

#include <gtest/gtest.h>

#include <ctime>

#include "AuthTestSupport.h"
#include "auth/AuthAdmin.h"
#include "auth/Secrets.h"
#include "auth/TokenService.h"
#include "util/Error.h"
#include "util/Sha256.h"

namespace strata {
namespace {

std::string basicHeader(const std::string& user, const std::string& secret) {
  return "Basic " + secrets::base64(user + ":" + secret);
}

std::int64_t now() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

class AuthenticatorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    keyDir_ = new test::TempDir();
    key_ = new std::string(TokenService::loadOrCreateSigningKey("", keyDir_->path()));
  }
  static void TearDownTestSuite() {
    delete key_;
    delete keyDir_;
  }

  void SetUp() override {
    Actor root{"test", ""};
    admin.addUser(root, "alice", "alice-pw");
    admin.addUser(root, "bob", "bob-pw");
    admin.addTeam(root, "devs");
    admin.addMember(root, "devs", "alice");
    token = admin.createToken(root, "alice", "ci", std::nullopt).secret;
  }

  Subject login(const std::string& header) { return auth.authenticate(header, "10.1.2.3"); }

  void expectUnauthorized(const std::string& header, const std::string& why) {
    try {
      login(header);
      ADD_FAILURE() << "accepted " << why;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Unauthorized) << why;
    }
  }

  static test::TempDir* keyDir_;
  static std::string* key_;

  test::AuthDb env;
  Config config = test::authTestConfig();
  PasswordHasher hasher = test::cheapHasher();
  // No waiting in unit tests; the throttle itself is tested on its own.
  LoginThrottle throttle{
      LoginThrottle::Params{std::chrono::milliseconds(0), std::chrono::milliseconds(0)}};
  TokenService tokens{*key_, 900};
  Authenticator auth{env.repo, hasher, &tokens, throttle};
  AuthAdmin admin{env.repo, hasher, config};
  std::string token;
};
test::TempDir* AuthenticatorTest::keyDir_ = nullptr;
std::string* AuthenticatorTest::key_ = nullptr;

TEST_F(AuthenticatorTest, NoHeaderIsAnonymous) {
  Subject s = login("");
  EXPECT_TRUE(s.anonymous());
  EXPECT_EQ(s.method, Subject::Method::Anonymous);
  EXPECT_EQ(s.teams, std::vector<std::string>{"anonymous"});
  EXPECT_EQ(s.clientAddress, "10.1.2.3");
}

TEST_F(AuthenticatorTest, BasicWithPassword) {
  Subject s = login(basicHeader("alice", "alice-pw"));
  EXPECT_EQ(s.user, "alice");
  EXPECT_EQ(s.method, Subject::Method::Password);
  EXPECT_EQ(s.teams, std::vector<std::string>{"devs"});
  EXPECT_FALSE(s.apiTokenId);
  EXPECT_FALSE(s.tokenAccess);
  EXPECT_EQ(login("basic " + secrets::base64("bob:bob-pw")).user, "bob");  // scheme ignores case
}

TEST_F(AuthenticatorTest, WrongPasswordUnknownUserAndMalformedHeaders) {
  expectUnauthorized(basicHeader("alice", "bob-pw"), "a wrong password");
  expectUnauthorized(basicHeader("alice", ""), "an empty password");
  expectUnauthorized(basicHeader("nobody", "x"), "an unknown user");
  expectUnauthorized(basicHeader("alice' OR '1'='1", "x"), "SQL in the user name");
  expectUnauthorized("Basic !!!", "broken base64");
  expectUnauthorized("Basic " + secrets::base64("no-colon"), "no colon");
  expectUnauthorized("Digest abc", "another scheme");
  expectUnauthorized("Bearer ", "an empty bearer token");
  auto failures = env.repo.listAudit(100, "login_failed");
  ASSERT_GE(failures.size(), 4u);
  for (const auto& f : failures) {
    EXPECT_EQ(f.clientAddress, "10.1.2.3");
    EXPECT_EQ(f.detail.find("bob-pw"), std::string::npos);  // never a secret in the log
  }
}

TEST_F(AuthenticatorTest, BasicWithApiToken) {
  Subject s = login(basicHeader("alice", token));
  EXPECT_EQ(s.user, "alice");
  EXPECT_EQ(s.method, Subject::Method::ApiToken);
  ASSERT_TRUE(s.apiTokenId);
  EXPECT_EQ(s.teams, std::vector<std::string>{"devs"});
  // The token is alice's: with another user name it is nobody's password.
  expectUnauthorized(basicHeader("bob", token), "alice's token as bob");
  std::string wrong = token;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  expectUnauthorized(basicHeader("alice", wrong), "a mistyped token");
}

TEST_F(AuthenticatorTest, RevokedAndExpiredApiTokensAreRefused) {
  Actor root{"test", ""};
  admin.revokeToken(root, "alice", "ci");
  expectUnauthorized(basicHeader("alice", token), "a revoked token");
  // An expired one, written straight into the database.
  std::string secret = "strata_expiredexpiredexpiredexpiredexpiredexp";
  ASSERT_TRUE(env.repo.addToken(env.repo.findUser("alice")->id, "old", Sha256::hex(secret),
                                now() - 100, now() - 1));
  expectUnauthorized(basicHeader("alice", secret), "an expired token");
  // A new token with the revoked one's name works.
  std::string again = admin.createToken(root, "alice", "ci", 30).secret;
  EXPECT_EQ(login(basicHeader("alice", again)).user, "alice");
}

TEST_F(AuthenticatorTest, PasswordStartingWithTheTokenPrefixStillWorks) {
  Actor root{"test", ""};
  admin.addUser(root, "carol", "strata_but_a_password");
  EXPECT_EQ(login(basicHeader("carol", "strata_but_a_password")).method, Subject::Method::Password);
}

TEST_F(AuthenticatorTest, BearerCarriesTheTokenAccessAndLiveTeams) {
  auto issued =
      tokens.issue("alice", {{"repository", "demo/hello", {"pull"}}}, std::nullopt, now());
  Subject s = login("Bearer " + issued.jwt);
  EXPECT_EQ(s.user, "alice");
  EXPECT_EQ(s.method, Subject::Method::Bearer);
  ASSERT_TRUE(s.tokenAccess);
  ASSERT_EQ(s.tokenAccess->size(), 1u);
  EXPECT_EQ((*s.tokenAccess)[0].name, "demo/hello");
  EXPECT_EQ(s.teams, std::vector<std::string>{"devs"});
  // Membership changes apply to tokens already issued.
  admin.removeMember({"test", ""}, "devs", "alice");
  EXPECT_TRUE(login("Bearer " + issued.jwt).teams.empty());
}

TEST_F(AuthenticatorTest, BearerFromARevokedApiTokenIsRefused) {
  Subject viaToken = login(basicHeader("alice", token));
  auto issued = tokens.issue("alice", {}, viaToken.apiTokenId, now());
  EXPECT_EQ(login("Bearer " + issued.jwt).apiTokenId, viaToken.apiTokenId);
  admin.revokeToken({"test", ""}, "alice", "ci");
  expectUnauthorized("Bearer " + issued.jwt, "a JWT made with a revoked API token");
}

TEST_F(AuthenticatorTest, BearerForAnUnknownUserOrExpiredIsRefused) {
  expectUnauthorized("Bearer " + tokens.issue("ghost", {}, std::nullopt, now()).jwt,
                     "a token for a user that does not exist");
  expectUnauthorized("Bearer " + tokens.issue("alice", {}, std::nullopt, now() - 1000).jwt,
                     "an expired token");
  Subject anon = login("Bearer " + tokens.issue("", {}, std::nullopt, now()).jwt);
  EXPECT_TRUE(anon.anonymous());
  EXPECT_EQ(anon.method, Subject::Method::Bearer);
}

TEST_F(AuthenticatorTest, WithoutTokenServiceBearerIsRefused) {
  Authenticator noTokens(env.repo, hasher, nullptr, throttle);
  try {
    noTokens.authenticate("Bearer abc", "");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unauthorized);
  }
}

TEST_F(AuthenticatorTest, FailedLoginsAreSlowedDown) {
  LoginThrottle slow(
      LoginThrottle::Params{std::chrono::milliseconds(100), std::chrono::milliseconds(1000)});
  Authenticator a(env.repo, hasher, &tokens, slow);
  EXPECT_THROW(a.authenticate(basicHeader("alice", "bad"), "10.0.0.9"), Error);
  EXPECT_THROW(a.authenticate(basicHeader("alice", "bad"), "10.0.0.9"), Error);
  auto start = std::chrono::steady_clock::now();
  // Third attempt waits ~200 ms (two failures), even with the right password.
  EXPECT_EQ(a.authenticate(basicHeader("alice", "alice-pw"), "10.0.0.9").user, "alice");
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(150));
  // The success reset the counters.
  start = std::chrono::steady_clock::now();
  a.authenticate(basicHeader("alice", "alice-pw"), "10.0.0.9");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
}

}  // namespace
}  // namespace strata
