#include "image/ImageName.h"

#include <gtest/gtest.h>

#include "util/Error.h"

namespace strata {
namespace {

std::vector<SourceConfig> sources() {
  SourceConfig demo;
  demo.name = "demo";
  demo.prefix = "demo";
  demo.type = "path";
  demo.metaPackages["shell"] = {"busybox"};
  SourceConfig acme;
  acme.name = "acme";
  acme.prefix = "acme/team";
  acme.type = "path";
  acme.alwaysInclude = {"cacert"};
  SourceConfig fallback;
  fallback.name = "default";
  fallback.prefix = "";
  fallback.type = "path";
  return {demo, acme, fallback};
}

TEST(ImageName, AcceptsDistributionGrammar) {
  EXPECT_TRUE(isValidRepositoryName("demo/shell/hello"));
  EXPECT_TRUE(isValidRepositoryName("a/python3packages.requests"));
  EXPECT_TRUE(isValidRepositoryName("a__b/c--d/e_f"));
  EXPECT_FALSE(isValidRepositoryName(""));
  EXPECT_FALSE(isValidRepositoryName("Demo/hello"));
  EXPECT_FALSE(isValidRepositoryName("demo//hello"));
  EXPECT_FALSE(isValidRepositoryName("demo/hello/"));
  EXPECT_FALSE(isValidRepositoryName("demo/../etc"));
  EXPECT_FALSE(isValidRepositoryName("demo/.hidden"));
  EXPECT_FALSE(isValidRepositoryName("demo/a___b"));
  EXPECT_FALSE(isValidRepositoryName("demo/a$(id)"));
  EXPECT_FALSE(isValidRepositoryName("demo/a\"b"));
  EXPECT_FALSE(isValidRepositoryName(std::string(256, 'a')));
  EXPECT_FALSE(isValidRepositoryName("demo/h\xc3\xa9llo"));
}

TEST(ImageName, TagGrammar) {
  EXPECT_TRUE(isValidTag("latest"));
  EXPECT_TRUE(isValidTag("release-7"));
  EXPECT_TRUE(isValidTag("v1.2_3"));
  EXPECT_TRUE(isValidTag(std::string(128, 'a')));
  EXPECT_FALSE(isValidTag(std::string(129, 'a')));
  EXPECT_FALSE(isValidTag("-rf"));
  EXPECT_FALSE(isValidTag(".hidden"));
  EXPECT_FALSE(isValidTag("a/b"));
  EXPECT_FALSE(isValidTag(""));
}

TEST(ImageName, LongestPrefixWins) {
  auto s = sources();
  EXPECT_EQ(routeToSource("demo/hello", s)->name, "demo");
  EXPECT_EQ(routeToSource("acme/team/x", s)->name, "acme");
  EXPECT_EQ(routeToSource("acme/other", s)->name, "default");
  EXPECT_EQ(routeToSource("demohello", s)->name, "default");  // prefixes match whole components
  s.pop_back();
  EXPECT_EQ(routeToSource("elsewhere/x", s), nullptr);
}

TEST(ImageName, ExpandsMetaPackagesSortsAndDeduplicates) {
  auto req = parseImageName("demo/shell/zsh/hello/zsh/busybox", sources());
  EXPECT_EQ(req.source, "demo");
  EXPECT_EQ(req.arch, "amd64");
  EXPECT_EQ(req.packages, (std::vector<std::string>{"busybox", "hello", "zsh"}));
}

TEST(ImageName, Arm64SelectsArchitecture) {
  auto req = parseImageName("demo/arm64/hello", sources());
  EXPECT_EQ(req.arch, "arm64");
  EXPECT_EQ(req.packages, (std::vector<std::string>{"hello"}));
}

TEST(ImageName, TheSourcesPlatformsDecideUnlessArm64IsNamed) {
  auto one = parseImageName("demo/hello", sources());
  EXPECT_FALSE(one.isIndex());
  EXPECT_EQ(one.arch, "amd64");
  auto withArm = sources();
  withArm[0].platforms = {"aarch64-linux"};
  EXPECT_EQ(parseImageName("demo/hello", withArm).arch, "arm64") << "the source's one platform";
  withArm[0].platforms = {"x86_64-linux", "aarch64-linux"};
  auto both = parseImageName("demo/hello", withArm);
  EXPECT_TRUE(both.isIndex());
  EXPECT_EQ(both.platforms, (std::vector<std::string>{"amd64", "arm64"}));
  EXPECT_EQ(both.arch, "amd64");
  auto arm = both.forPlatform("arm64");
  EXPECT_FALSE(arm.isIndex());
  EXPECT_EQ(arm.arch, "arm64");
  EXPECT_EQ(arm.packages, both.packages);
  auto named = parseImageName("demo/arm64/hello", withArm);
  EXPECT_FALSE(named.isIndex());
  EXPECT_EQ(named.arch, "arm64");
}

TEST(ImageName, AlwaysIncludeIsAdded) {
  auto req = parseImageName("acme/team/tool", sources());
  EXPECT_EQ(req.packages, (std::vector<std::string>{"cacert", "tool"}));
}

TEST(ImageName, AttributePathsStayWhole) {
  auto req = parseImageName("python3packages.requests", sources());
  EXPECT_EQ(req.source, "default");
  EXPECT_EQ(req.packages, (std::vector<std::string>{"python3packages.requests"}));
}

TEST(ImageName, ErrorsNameTheProblem) {
  auto s = sources();
  try {
    parseImageName("demo/Hello", s);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidName);
  }
  try {
    parseImageName("demo", s);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::UnknownName);
    EXPECT_NE(std::string(e.what()).find("names no packages"), std::string::npos);
  }
  s.pop_back();
  try {
    parseImageName("nowhere/hello", s);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::UnknownName);
  }
}

}  // namespace
}  // namespace strata
