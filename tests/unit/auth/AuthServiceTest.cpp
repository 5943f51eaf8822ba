#include "auth/AuthService.h"

#include <gtest/gtest.h>

#include "AuthTestSupport.h"

namespace strata {
namespace {

TEST(AuthServiceTest, ChallengeNamesRealmServiceAndScope) {
  test::AuthDb env;
  Config config = test::authTestConfig();
  config.publicUrl = "https://registry.example.com";
  AuthService auth(config, env.repo, /*withTokens=*/false);
  EXPECT_TRUE(auth.enabled());
  EXPECT_EQ(auth.tokens(), nullptr);
  EXPECT_EQ(auth.challenge(std::nullopt),
            "Bearer realm=\"https://registry.example.com/token\",service=\"strata\"");
  EXPECT_EQ(auth.challenge(Scope{"repository", "demo/hello", {"pull"}}),
            "Bearer realm=\"https://registry.example.com/token\",service=\"strata\","
            "scope=\"repository:demo/hello:pull\"");
  EXPECT_EQ(auth.challenge(Scope{"repository", "a/b", {"pull"}}, "insufficient_scope"),
            "Bearer realm=\"https://registry.example.com/token\",service=\"strata\","
            "scope=\"repository:a/b:pull\",error=\"insufficient_scope\"");
}

TEST(AuthServiceTest, TokenServiceOnlyWhenAsked) {
  test::AuthDb env;
  Config config = test::authTestConfig();
  config.dataDir = env.dir / "data";
  AuthService auth(config, env.repo, /*withTokens=*/true);
  ASSERT_NE(auth.tokens(), nullptr);
  EXPECT_EQ(auth.tokens()->ttlSeconds(), config.auth.tokenTtlSeconds);
  EXPECT_TRUE(std::filesystem::exists(config.dataDir + "/token-signing-key.pem"));
}

}  // namespace
}  // namespace strata
