// The header-only helpers plugins use: the JSON reader, globs, store path
// names, and the guards that keep exceptions inside a plugin.
#include <gtest/gtest.h>

#include <stdexcept>

#include "strata/sdk/json.h"
#include "strata/sdk/plugin.h"
#include "strata/sdk/util.h"

namespace strata {
namespace {

namespace json = sdk::json;

TEST(SdkJson, ReadsNestedDocuments) {
  auto v = json::parse(
      R"( {"a": [1, -2.5e1, true, false, null], "b": {"c": "d\"\\\/\n\u00e9\ud83d\ude00"}} )");
  ASSERT_TRUE(v.isObject());
  const auto& a = v.find("a")->asArray();
  ASSERT_EQ(a.size(), 5u);
  EXPECT_EQ(a[0].asInteger(), 1);
  EXPECT_DOUBLE_EQ(a[1].asNumber(), -25.0);
  EXPECT_TRUE(a[2].asBool());
  EXPECT_FALSE(a[3].asBool());
  EXPECT_TRUE(a[4].isNull());
  EXPECT_EQ(v.find("b")->find("c")->asString(), "d\"\\/\n\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(v.find("missing"), nullptr);
  EXPECT_EQ(v.asObject().front().first, "a");  // document order
}

TEST(SdkJson, RefusesInvalidJsonWithAnOffset) {
  for (const char* bad :
       {"", "{", "[1,]", "{\"a\" 1}", "tru", "\"\\x\"", "01", "1 2", "\"\x01\"", "\"\\ud800\"",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]"}) {
    SCOPED_TRACE(bad);
    try {
      json::parse(bad);
      ADD_FAILURE() << "accepted";
    } catch (const json::Error& e) {
      EXPECT_EQ(std::string(e.what()).rfind("invalid JSON at offset ", 0), 0u) << e.what();
    }
  }
}

TEST(SdkJson, TypedAccessNamesTheValue) {
  auto v = json::parse(R"({"n": 1.5, "s": "x"})");
  EXPECT_THROW(v.find("s")->asNumber("cfg.s"), json::Error);
  try {
    v.find("n")->asInteger("cfg.n");
    FAIL();
  } catch (const json::Error& e) {
    EXPECT_STREQ(e.what(), "cfg.n must be an integer");
  }
  try {
    v.requireOnly({"n"}, "cfg");
    FAIL();
  } catch (const json::Error& e) {
    EXPECT_STREQ(e.what(), "cfg.s is not a known key");
  }
}

TEST(SdkUtil, GlobMatch) {
  using sdk::globMatch;
  EXPECT_TRUE(globMatch("*", ""));
  EXPECT_TRUE(globMatch("*", "python3Packages.requests"));
  EXPECT_TRUE(globMatch("python3Packages.*", "python3Packages.requests"));
  EXPECT_FALSE(globMatch("python3Packages.*", "python3packages.requests"));
  EXPECT_TRUE(globMatch("python3Packages.*", "python3packages.requests", true));
  EXPECT_TRUE(globMatch("h?llo", "hello"));
  EXPECT_FALSE(globMatch("h?llo", "hllo"));
  EXPECT_TRUE(globMatch("[a-c]at", "bat"));
  EXPECT_FALSE(globMatch("[!a-c]at", "bat"));
  EXPECT_TRUE(globMatch("[!a-c]at", "rat"));
  EXPECT_TRUE(globMatch("a\\*b", "a*b"));
  EXPECT_FALSE(globMatch("a\\*b", "axb"));
  EXPECT_TRUE(globMatch("*a*b*c*", "xxaxxbxxcxx"));
  EXPECT_FALSE(globMatch("*a*b*c*", "xxaxxcxxbxx"));
  EXPECT_TRUE(globMatch("[", "["));  // an unclosed class is a literal
  // No exponential backtracking on hostile patterns.
  EXPECT_FALSE(globMatch(std::string(40, '*') + "b", std::string(5000, 'a')));
}

TEST(SdkUtil, StorePathName) {
  EXPECT_EQ(sdk::storePathName("/nix/store/0123456789abcdfghijklmnpqrsvwxyz-glibc-2.37-8"),
            "glibc-2.37-8");
  EXPECT_EQ(sdk::storePathName("/nix/store/short-name"), "short-name");
  EXPECT_EQ(sdk::storePathName("plain"), "plain");
}

TEST(SdkGuards, ExceptionsBecomeFailedPlansAndDenies) {
  auto ok = sdk::guardPlan([] { return std::vector<sdk::Layer>{{"/a"}}; });
  EXPECT_TRUE(ok.ok);
  EXPECT_EQ(ok.layers.size(), 1u);
  auto failed =
      sdk::guardPlan([]() -> std::vector<sdk::Layer> { throw std::runtime_error("boom"); });
  EXPECT_FALSE(failed.ok);
  EXPECT_EQ(failed.error, "boom");
  EXPECT_TRUE(failed.layers.empty());
  auto odd = sdk::guardPlan([]() -> std::vector<sdk::Layer> { throw 7; });
  EXPECT_EQ(odd.error, "unknown exception");

  auto allow = sdk::guardDecision([] { return sdk::Decision{true, ""}; });
  EXPECT_TRUE(allow.allow);
  auto denied = sdk::guardDecision([]() -> sdk::Decision { throw std::runtime_error("db down"); });
  EXPECT_FALSE(denied.allow);  // fail closed
  EXPECT_EQ(denied.reason, "the policy failed: db down");
}

TEST(SdkAbi, TheHostsOwnAbiInfo) {
  constexpr auto abi = sdk::currentAbi();
  EXPECT_EQ(abi.abiVersion, sdk::kAbiVersion);
  EXPECT_EQ(abi.structSize, sizeof(sdk::AbiInfo));
  EXPECT_EQ(abi.sizeofString, sizeof(std::string));
  EXPECT_EQ(abi.sizeofImageInfo, sizeof(sdk::ImageInfo));
}

TEST(SdkRegister, RunRegisterCatchesAndTruncates) {
  struct NullRegistrar : sdk::Registrar {
    void addLayeringStrategy(const char*, sdk::LayeringStrategy* s) noexcept override { delete s; }
    void addAccessPolicy(const char*, sdk::AccessPolicy* p) noexcept override { delete p; }
  } registrar;
  auto throwing = [](sdk::Registrar&, const std::string& config) {
    throw std::runtime_error("bad config " + config);
  };
  char error[8];
  EXPECT_EQ(sdk::detail::runRegister(throwing, &registrar, "{\"a\":1}", error, sizeof error), 1);
  EXPECT_STREQ(error, "bad con");  // truncated to the buffer
  auto fine = [](sdk::Registrar&, const std::string&) {};
  EXPECT_EQ(sdk::detail::runRegister(fine, &registrar, nullptr, error, sizeof error), 0);
  EXPECT_EQ(sdk::detail::runRegister(fine, nullptr, "{}", error, sizeof error), 1);
}

}  // namespace
}  // namespace strata
