#include "auth/Glob.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(GlobTest, ExactNamesAndStar) {
  EXPECT_TRUE(globMatch("hello", "hello"));
  EXPECT_FALSE(globMatch("hello", "hello2"));
  EXPECT_FALSE(globMatch("hello", "hell"));
  EXPECT_TRUE(globMatch("*", "anything.at.all"));
  EXPECT_TRUE(globMatch("hel*", "hello"));
  EXPECT_TRUE(globMatch("hel*", "hel"));
  EXPECT_FALSE(globMatch("hel*", "xhello"));
}

TEST(GlobTest, AttributePathsIgnoringCase) {
  // Image names are lowercase; grants name the real attributes.
  EXPECT_TRUE(globMatch("python3Packages.*", "python3packages.requests"));
  EXPECT_TRUE(globMatch("python3Packages.*", "python3Packages.requests"));
  EXPECT_TRUE(globMatch("python3Packages.*", "python3packages.a.b"));  // '*' crosses dots
  EXPECT_FALSE(globMatch("python3Packages.*", "python3packages"));
  EXPECT_FALSE(globMatch("python3Packages.*", "python311packages.requests"));
  EXPECT_TRUE(globMatch("tools.jsonPretty", "tools.jsonpretty"));
}

TEST(GlobTest, QuestionMarkAndClasses) {
  EXPECT_TRUE(globMatch("gcc1?", "gcc12"));
  EXPECT_FALSE(globMatch("gcc1?", "gcc1"));
  EXPECT_TRUE(globMatch("go_1_[12]*", "go_1_21"));
  EXPECT_FALSE(globMatch("go_1_[12]*", "go_1_3"));
  EXPECT_TRUE(globMatch("[!x]*", "abc"));
  EXPECT_FALSE(globMatch("[!x]*", "xyz"));
}

TEST(GlobTest, NoEscapesAndNoSpecialMeaningForDots) {
  EXPECT_TRUE(globMatch(".hidden", ".hidden"));
  EXPECT_TRUE(globMatch("*", ".hidden"));  // no FNM_PERIOD
  EXPECT_FALSE(globMatch("a.c", "abc"));   // '.' is literal
}

TEST(GlobTest, ValidGlobs) {
  EXPECT_EQ(invalidGlobReason("python3Packages.*"), "");
  EXPECT_EQ(invalidGlobReason("*"), "");
  EXPECT_EQ(invalidGlobReason("gtk+3"), "");
  EXPECT_EQ(invalidGlobReason("[a-z]*"), "");
  EXPECT_NE(invalidGlobReason(""), "");
  EXPECT_NE(invalidGlobReason(std::string(257, 'a')), "");
  EXPECT_NE(invalidGlobReason("a b"), "");
  EXPECT_NE(invalidGlobReason("a'b"), "");
  EXPECT_NE(invalidGlobReason("a\"b"), "");
  EXPECT_NE(invalidGlobReason("a\\*"), "");
  EXPECT_NE(invalidGlobReason("a\nb"), "");
  EXPECT_NE(invalidGlobReason("caf\xc3\xa9"), "");
}

}  // namespace
}  // namespace strata
