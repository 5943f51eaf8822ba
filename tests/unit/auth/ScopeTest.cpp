#include "auth/Scope.h"

#include <gtest/gtest.h>

#include "util/Error.h"

namespace strata {
namespace {

TEST(ScopeTest, ParsesARepositoryScope) {
  Scope s = parseScope("repository:demo/shell/hello:pull");
  EXPECT_EQ(s.type, "repository");
  EXPECT_EQ(s.name, "demo/shell/hello");
  EXPECT_EQ(s.actions, (std::vector<std::string>{"pull"}));
  EXPECT_TRUE(s.allows("pull"));
  EXPECT_FALSE(s.allows("push"));
  EXPECT_EQ(formatScope(s), "repository:demo/shell/hello:pull");
}

TEST(ScopeTest, ParsesSeveralActionsAndDropsDuplicates) {
  Scope s = parseScope("repository:a/b:pull,push,pull");
  EXPECT_EQ(s.actions, (std::vector<std::string>{"pull", "push"}));
  EXPECT_EQ(formatScope(s), "repository:a/b:pull,push");
}

TEST(ScopeTest, CatalogAndWildcard) {
  Scope s = parseScope("registry:catalog:*");
  EXPECT_EQ(s.type, "registry");
  EXPECT_EQ(s.name, "catalog");
  EXPECT_TRUE(s.allows("*"));
  EXPECT_TRUE(s.allows("pull"));  // "*" allows every action
}

TEST(ScopeTest, NameMayHoldColonsAndTypeMayHaveAClass) {
  Scope s = parseScope("repository(plugin):localhost:5000/demo/hello:pull");
  EXPECT_EQ(s.type, "repository");
  EXPECT_EQ(s.name, "localhost:5000/demo/hello");
  EXPECT_EQ(s.actions, (std::vector<std::string>{"pull"}));
}

TEST(ScopeTest, SeveralParametersAndSpaceSeparatedScopesMerge) {
  auto scopes = parseScopes({"repository:demo/hello:pull repository:demo/cowsay:pull",
                             "repository:demo/hello:push", "", "registry:catalog:*"});
  ASSERT_EQ(scopes.size(), 3u);
  EXPECT_EQ(scopes[0].name, "demo/hello");
  EXPECT_EQ(scopes[0].actions, (std::vector<std::string>{"pull", "push"}));
  EXPECT_EQ(scopes[1].name, "demo/cowsay");
  EXPECT_EQ(scopes[2].type, "registry");
  EXPECT_TRUE(parseScopes({}).empty());
}

TEST(ScopeTest, RefusesMalformedScopes) {
  for (const char* bad : {"", "repository", "repository:name", ":name:pull", "repository::pull",
                          "repository:name:", "repository:name:pull,", "repository:name:,pull",
                          "Repository:name:pull", "repository:na me:pull", "repository:name:pu ll",
                          "repository:name:pull;rm", "repository:a\nb:pull"}) {
    try {
      parseScope(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::BadRequest) << bad;
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  }
  EXPECT_THROW(parseScopes({"repository:a:pull bogus"}), Error);
}

// Found by tests/fuzz/fuzz_token: a name that is not UTF-8 went into the
// token's JSON, and the token issued for it never verified.
TEST(ScopeTest, RefusesNamesThatAreNotUtf8) {
  for (const char* bad : {"repository:lno\xff\xff"
                          "cal:pull",
                          "repository:a\xc0\xaf"
                          "b:pull",
                          "repository:\xed\xa0\x80:pull", "repository:\xe2\x98:pull"}) {
    try {
      parseScope(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::BadRequest);
      // Shown without the bytes that would make the JSON error body invalid.
      EXPECT_EQ(std::string(e.what()).find_first_of("\xff\xc0\xed"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(parseScope("repository:caf\xc3\xa9/\xe2\x98\x83:pull").name,
            "caf\xc3\xa9/\xe2\x98\x83");
}

}  // namespace
}  // namespace strata
