#include "auth/TokenService.h"

#include <Poco/Crypto/RSAKey.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <sstream>

#include "../support/TestSupport.h"
#include "auth/Secrets.h"
#include "util/Error.h"

namespace strata {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;

/// Two signing keys, generated once for the whole suite (RSA key generation
/// is the slow part).
class TokenServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dirs_ = new test::TempDir();
    keyA_ = new std::string(TokenService::loadOrCreateSigningKey("", *dirs_ / "a"));
    keyB_ = new std::string(TokenService::loadOrCreateSigningKey("", *dirs_ / "b"));
  }
  static void TearDownTestSuite() {
    delete keyA_;
    delete keyB_;
    delete dirs_;
  }

  static Poco::SharedPtr<Poco::Crypto::RSAKey> rsa(const std::string& pem) {
    std::istringstream in(pem);
    return new Poco::Crypto::RSAKey(nullptr, &in);
  }
  static std::string publicPem(const std::string& pem) {
    std::ostringstream pub, priv;
    rsa(pem)->save(&pub, &priv);
    return pub.str();
  }

  /// A token with chosen claims, signed RS256 with key A (as if by the
  /// server), for claim checks.
  static std::string signedWithA(const std::function<void(Poco::JWT::Token&)>& edit) {
    Poco::JWT::Token t;
    t.setType("JWT");
    t.setIssuer("strata");
    t.setAudience(std::string("strata"));
    t.setSubject("alice");
    t.payload().set("iat", Poco::Int64(kNow));
    t.payload().set("nbf", Poco::Int64(kNow));
    t.payload().set("exp", Poco::Int64(kNow + 60));
    edit(t);
    Poco::JWT::Signer signer(rsa(*keyA_));
    signer.addAlgorithm(Poco::JWT::Signer::ALGO_RS256);
    return signer.sign(t, Poco::JWT::Signer::ALGO_RS256);
  }

  static void expectRefused(const TokenService& svc, const std::string& jwt, const std::string& why,
                            std::int64_t at = kNow) {
    try {
      svc.verify(jwt, at);
      ADD_FAILURE() << "accepted a token that is " << why;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Unauthorized) << why;
    }
  }

  static test::TempDir* dirs_;
  static std::string* keyA_;
  static std::string* keyB_;
};
test::TempDir* TokenServiceTest::dirs_ = nullptr;
std::string* TokenServiceTest::keyA_ = nullptr;
std::string* TokenServiceTest::keyB_ = nullptr;

TEST_F(TokenServiceTest, IssuesAndVerifiesItsOwnTokens) {
  TokenService svc(*keyA_, 900);
  std::vector<Scope> access = {{"repository", "demo/hello", {"pull"}},
                               {"repository", "demo/cowsay", {}},
                               {"registry", "catalog", {"*"}}};
  auto issued = svc.issue("alice", access, 42, kNow);
  EXPECT_EQ(issued.claims.expiresAt, kNow + 900);
  EXPECT_FALSE(issued.claims.id.empty());

  TokenClaims c = svc.verify(issued.jwt, kNow + 10);
  EXPECT_EQ(c.subject, "alice");
  EXPECT_EQ(c.access, access);
  ASSERT_TRUE(c.apiTokenId.has_value());
  EXPECT_EQ(*c.apiTokenId, 42);
  EXPECT_EQ(c.issuedAt, kNow);
  EXPECT_EQ(c.notBefore, kNow);
  EXPECT_EQ(c.expiresAt, kNow + 900);
  EXPECT_EQ(c.id, issued.claims.id);

  // The claims are plain JSON with whole-second times, as Docker expects.
  Poco::JWT::Token raw(issued.jwt);
  EXPECT_EQ(raw.getAlgorithm(), "RS256");
  EXPECT_EQ(raw.getIssuer(), "strata");
  EXPECT_EQ(raw.payload().getValue<Poco::Int64>("exp"), kNow + 900);
  auto list = raw.payload().getArray("access");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->getObject(0)->getValue<std::string>("name"), "demo/hello");
}

// Found by tests/fuzz/fuzz_token: every scope parseScopes lets through must
// survive the token, or the token is issued and then refused.
TEST_F(TokenServiceTest, ParsedScopesSurviveTheToken) {
  TokenService svc(*keyA_, 900);
  auto access =
      parseScopes({"repository:caf\xc3\xa9/\xf0\x9f\x90\xb3:pull "
                   "repository(plugin):localhost:5000/a\\b\"c:pull,push"});
  TokenClaims c = svc.verify(svc.issue("alice", access, std::nullopt, kNow).jwt, kNow);
  EXPECT_EQ(c.access, access);
  EXPECT_THROW(parseScopes({"repository:lno\xff\xff"
                            "cal:pull"}),
               Error);
}

TEST_F(TokenServiceTest, AnonymousTokensAndTokensWithoutApiTokenId) {
  TokenService svc(*keyA_, 60);
  auto issued = svc.issue("", {}, std::nullopt, kNow);
  TokenClaims c = svc.verify(issued.jwt, kNow);
  EXPECT_EQ(c.subject, "");
  EXPECT_TRUE(c.access.empty());
  EXPECT_FALSE(c.apiTokenId.has_value());
  EXPECT_NE(svc.issue("", {}, std::nullopt, kNow).claims.id, issued.claims.id);
}

TEST_F(TokenServiceTest, ExpiredAndNotYetValidTokensAreRefused) {
  TokenService svc(*keyA_, 900);
  auto issued = svc.issue("alice", {}, std::nullopt, kNow);
  EXPECT_NO_THROW(svc.verify(issued.jwt, kNow + 899));
  expectRefused(svc, issued.jwt, "expired (at exp)", kNow + 900);
  expectRefused(svc, issued.jwt, "expired", kNow + 100000);
  // Issued in the future beyond the tolerated clock skew.
  EXPECT_NO_THROW(svc.verify(issued.jwt, kNow - TokenService::kLeewaySeconds));
  expectRefused(svc, issued.jwt, "not valid yet", kNow - TokenService::kLeewaySeconds - 1);
}

TEST_F(TokenServiceTest, TokensSignedWithAnotherKeyAreRefused) {
  TokenService a(*keyA_, 900), b(*keyB_, 900);
  auto fromB = b.issue("alice", {{"repository", "demo/hello", {"pull"}}}, std::nullopt, kNow);
  EXPECT_NO_THROW(b.verify(fromB.jwt, kNow));
  expectRefused(a, fromB.jwt, "signed with another key");
}

TEST_F(TokenServiceTest, AlgNoneIsRefused) {
  TokenService svc(*keyA_, 900);
  auto good = svc.issue("alice", {{"repository", "demo/hello", {"pull"}}}, std::nullopt, kNow);
  std::string payload = good.jwt.substr(good.jwt.find('.') + 1);
  payload = payload.substr(0, payload.find('.'));
  for (const char* header : {R"({"alg":"none","typ":"JWT"})", R"({"alg":"None","typ":"JWT"})",
                             R"({"alg":"NONE"})", R"({"typ":"JWT"})"}) {
    std::string h = secrets::base64Url(header);
    expectRefused(svc, h + "." + payload + ".", std::string("unsigned: ") + header);
    expectRefused(svc, h + "." + payload, std::string("two parts: ") + header);
  }
}

TEST_F(TokenServiceTest, Hs256WithThePublicKeyAsSecretIsRefused) {
  // The classic key-confusion forgery: HMAC keyed with the public key PEM.
  TokenService svc(*keyA_, 900);
  for (const std::string& secret : {publicPem(*keyA_), *keyA_, std::string("strata")}) {
    Poco::JWT::Token t;
    t.setType("JWT");
    t.setIssuer("strata");
    t.setAudience(std::string("strata"));
    t.setSubject("alice");
    t.payload().set("iat", Poco::Int64(kNow));
    t.payload().set("exp", Poco::Int64(kNow + 60));
    Poco::JWT::Signer hmac(secret);
    std::string forged = hmac.sign(t, Poco::JWT::Signer::ALGO_HS256);
    expectRefused(svc, forged, "HS256");
  }
}

TEST_F(TokenServiceTest, TamperedTokensAreRefused) {
  TokenService svc(*keyA_, 900);
  auto good = svc.issue("bob", {{"repository", "demo/hello", {"pull"}}}, std::nullopt, kNow);
  auto dot1 = good.jwt.find('.'), dot2 = good.jwt.rfind('.');
  std::string header = good.jwt.substr(0, dot1);
  std::string signature = good.jwt.substr(dot2 + 1);
  // The same claims with the subject changed, under the original signature.
  Poco::JWT::Token parsed(good.jwt);
  parsed.setSubject("alice");
  std::ostringstream payload;
  parsed.payload().stringify(payload);
  std::string forged = header + "." + secrets::base64Url(payload.str()) + "." + signature;
  expectRefused(svc, forged, "tampered (subject changed)");

  std::string flipped = good.jwt;
  flipped[dot2 + 5] = flipped[dot2 + 5] == 'A' ? 'B' : 'A';
  expectRefused(svc, flipped, "tampered (signature changed)");
  expectRefused(svc, good.jwt.substr(0, dot2 + 1), "without signature");
}

TEST_F(TokenServiceTest, OnlyTheExactTokenIsAccepted) {
  TokenService svc(*keyA_, 900);
  auto good = svc.issue("bob", {{"repository", "demo/hello", {"pull"}}}, std::nullopt, kNow);
  EXPECT_NO_THROW(svc.verify(good.jwt, kNow));
  // Content after the signature, padding, a fourth part, whitespace: each
  // is another string, so it is another (invalid) token.
  for (const std::string suffix : {".x", "=", "==", ".", " ", "%3D"})
    expectRefused(svc, good.jwt + suffix, "with '" + suffix + "' after the signature");
  expectRefused(svc, " " + good.jwt, "with a leading space");
  expectRefused(svc, "x." + good.jwt, "with a part before the header");
  // A signature of 342 base64url characters leaves 4 unused bits: another
  // character there decodes to the same bytes but is not canonical.
  std::string sig = good.jwt.substr(good.jwt.rfind('.') + 1);
  ASSERT_EQ(sig.size() % 4, 2u);
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string other = good.jwt;
  other.back() = kAlphabet[kAlphabet.find(other.back()) | 1];
  expectRefused(svc, other, "with non-zero unused bits in the signature");
}

TEST_F(TokenServiceTest, WrongIssuerAudienceOrMissingClaimsAreRefused) {
  TokenService svc(*keyA_, 900);
  EXPECT_NO_THROW(svc.verify(signedWithA([](Poco::JWT::Token&) {}), kNow));
  expectRefused(svc, signedWithA([](auto& t) { t.setIssuer("other"); }), "from another issuer");
  expectRefused(svc, signedWithA([](auto& t) { t.setAudience(std::string("registry")); }),
                "for another audience");
  expectRefused(svc, signedWithA([](auto& t) { t.payload().remove("exp"); }), "without exp");
  expectRefused(svc, signedWithA([](auto& t) { t.payload().remove("sub"); }), "without sub");
  expectRefused(svc, signedWithA([](auto& t) { t.payload().set("exp", std::string("soon")); }),
                "with a string exp");
  expectRefused(svc, signedWithA([](auto& t) { t.payload().set("access", std::string("all")); }),
                "with a malformed access claim");
}

TEST_F(TokenServiceTest, GarbageIsRefused) {
  TokenService svc(*keyA_, 900);
  for (const std::string& junk :
       {std::string(""), std::string("x"), std::string("a.b.c"), std::string("..."),
        std::string("eyJhbGciOiJSUzI1NiJ9.e30."), std::string(20000, 'a')})
    expectRefused(svc, junk, "garbage");
}

TEST_F(TokenServiceTest, SigningKeyIsGeneratedOnceWithMode0600) {
  test::TempDir dir;
  std::string first = TokenService::loadOrCreateSigningKey("", dir.path());
  std::string path = dir / "token-signing-key.pem";
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(first.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(TokenService::loadOrCreateSigningKey("", dir.path()), first);
  // Tokens survive a restart: a new service on the same key verifies them.
  auto t = TokenService(first, 60).issue("a", {}, std::nullopt, kNow);
  EXPECT_NO_THROW(
      TokenService(TokenService::loadOrCreateSigningKey("", dir.path()), 60).verify(t.jwt, kNow));
}

TEST_F(TokenServiceTest, ConfiguredKeyFileIsUsedAndBadKeysAreRefused) {
  test::TempDir dir;
  test::writeFile(dir / "key.pem", *keyB_, 0600);
  EXPECT_EQ(TokenService::loadOrCreateSigningKey(dir / "key.pem", dir / "data"), *keyB_);
  EXPECT_FALSE(std::filesystem::exists(dir / "data/token-signing-key.pem"));
  EXPECT_THROW(TokenService::loadOrCreateSigningKey(dir / "missing.pem", dir.path()),
               std::runtime_error);
  EXPECT_THROW(TokenService("not a key", 60), std::runtime_error);
  EXPECT_THROW(TokenService(publicPem(*keyA_), 60), std::runtime_error);
}

}  // namespace
}  // namespace strata
