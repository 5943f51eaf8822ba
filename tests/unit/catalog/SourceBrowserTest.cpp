#include "catalog/SourceBrowser.h"

#include <gtest/gtest.h>

#include "../support/ServerFixture.h"
#include "util/Error.h"

namespace strata {
namespace {

template <typename F>
ErrorKind errorOf(F f, std::string* message = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (message) *message = e.what();
    return e.kind();
  }
  ADD_FAILURE() << "no error";
  return ErrorKind::Internal;
}

/// The error of a package search that fails before Nix runs.
ErrorKind searchError(test::ServerFixture& fx, const Caller& caller, const std::string& source,
                      const std::string& ref, const std::string& q) {
  return errorOf([&] { fx.browser->packages(PackageQuery{caller, source, ref, q, 10}); });
}

std::vector<std::string> attrsOf(const std::vector<PackageEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.attr);
  return out;
}

const std::vector<PackageEntry> kListing = {
    {"fooBar", "foo-bar", "1.0", "Bars a foo"},
    {"hello", "hello", "2.12", "A program that produces a familiar, friendly greeting"},
    {"helloWorld", "hello-world", "", ""},
    {"python3Packages.requests", "requests", "2.31", "HTTP for Humans"},
    {"shout", "shout", "", "Shouts the fixture's phrase"},
    {"xhello", "x", "", ""},
};

TEST(SourceBrowserSearch, ExactMatchesFirstThenPrefixesThenTheRestByAttr) {
  bool truncated = true;
  auto found = SourceBrowser::search(kListing, "hello", 10, nullptr, truncated);
  EXPECT_EQ(attrsOf(found), (std::vector<std::string>{"hello", "helloWorld", "xhello"}));
  EXPECT_FALSE(truncated);
  // The exact name of a nested attribute ranks first too.
  found = SourceBrowser::search(kListing, "requests", 10, nullptr, truncated);
  EXPECT_EQ(attrsOf(found), std::vector<std::string>{"python3Packages.requests"});
}

TEST(SourceBrowserSearch, CaseInsensitiveOnAttrNameAndDescription) {
  bool truncated = false;
  EXPECT_EQ(attrsOf(SourceBrowser::search(kListing, "HELLOWORLD", 10, nullptr, truncated)),
            std::vector<std::string>{"helloWorld"})
      << "attribute path";
  EXPECT_EQ(attrsOf(SourceBrowser::search(kListing, "o-b", 10, nullptr, truncated)),
            std::vector<std::string>{"fooBar"})
      << "name";
  EXPECT_EQ(attrsOf(SourceBrowser::search(kListing, "PHRASE", 10, nullptr, truncated)),
            std::vector<std::string>{"shout"})
      << "description";
  EXPECT_EQ(attrsOf(SourceBrowser::search(kListing, "friendly greeting", 10, nullptr, truncated)),
            std::vector<std::string>{"hello"});
  EXPECT_TRUE(SourceBrowser::search(kListing, "nothing like it", 10, nullptr, truncated).empty());
  EXPECT_TRUE(SourceBrowser::search(kListing, "\"; builtins.readFile /etc/passwd; \"", 10, nullptr,
                                    truncated)
                  .empty())
      << "a query is text to look for, nothing else";
}

TEST(SourceBrowserSearch, EmptyQueryListsEverythingBoundedByN) {
  bool truncated = false;
  auto found = SourceBrowser::search(kListing, "", 3, nullptr, truncated);
  EXPECT_EQ(attrsOf(found), (std::vector<std::string>{"fooBar", "hello", "helloWorld"}));
  EXPECT_TRUE(truncated);
  found = SourceBrowser::search(kListing, "", kListing.size(), nullptr, truncated);
  EXPECT_EQ(found.size(), kListing.size());
  EXPECT_FALSE(truncated);
  EXPECT_TRUE(SourceBrowser::search(kListing, "", 0, nullptr, truncated).empty());
  EXPECT_TRUE(truncated);
}

TEST(SourceBrowserSearch, OnlyAllowedPackagesCountAndShow) {
  bool truncated = true;
  auto onlyShout = [](const PackageEntry& p) { return p.attr == "shout" || p.attr == "xhello"; };
  auto found = SourceBrowser::search(kListing, "", 1, onlyShout, truncated);
  EXPECT_EQ(attrsOf(found), std::vector<std::string>{"shout"});
  EXPECT_TRUE(truncated);
  found = SourceBrowser::search(kListing, "hello", 10, onlyShout, truncated);
  EXPECT_EQ(attrsOf(found), std::vector<std::string>{"xhello"});
  EXPECT_FALSE(truncated);
}

TEST(SourceBrowserQuery, BoundedPrintableUtf8) {
  for (const std::string& ok :
       std::vector<std::string>{"", "hello", "\"; builtins.readFile \"/etc/passwd", "${x}",
                                "'quoted'", "caf\xC3\xA9 \xE2\x9C\x93", std::string(200, 'a')})
    EXPECT_NO_THROW(SourceBrowser::checkQuery(ok)) << ok;
  std::string message;
  EXPECT_EQ(errorOf([] { SourceBrowser::checkQuery(std::string(201, 'a')); }, &message),
            ErrorKind::BadRequest);
  EXPECT_NE(message.find("200 bytes"), std::string::npos) << message;
  EXPECT_EQ(errorOf([] { SourceBrowser::checkQuery(std::string(10240, 'a')); }),
            ErrorKind::BadRequest);
  for (const std::string& bad :
       {std::string("a\0b", 3), std::string("a\nb"), std::string("\x1b[31m"), std::string("\x7f"),
        std::string("\xC3"), std::string("\xFF")})
    EXPECT_EQ(errorOf([&] { SourceBrowser::checkQuery(bad); }), ErrorKind::BadRequest) << bad;
}

class SourceBrowserTest : public ::testing::Test {
 protected:
  test::ServerFixture fx;
  Caller anyone{std::nullopt, "10.0.0.1"};
};

TEST_F(SourceBrowserTest, AFoldersRefsAreLatestAndItsRevision) {
  RefsAnswer refs = fx.browser->refs(anyone, "fx");
  EXPECT_EQ(refs.source, "fx");
  EXPECT_EQ(refs.type, "path");
  ASSERT_EQ(refs.refs.size(), 2u);
  EXPECT_EQ(refs.refs[0].name, "latest");
  EXPECT_EQ(refs.refs[0].kind, "latest");
  EXPECT_EQ(refs.refs[0].revision, fx.revision());
  EXPECT_TRUE(refs.refs[0].tag);
  EXPECT_EQ(refs.refs[1].name, fx.revision());
  EXPECT_EQ(refs.refs[1].kind, "revision");
  EXPECT_TRUE(refs.refs[1].tag);
}

TEST_F(SourceBrowserTest, UnknownSourcesBadQueriesAndRefsFailBeforeNix) {
  std::string message;
  EXPECT_EQ(errorOf([&] { fx.browser->refs(anyone, "nosuch"); }, &message), ErrorKind::UnknownName);
  EXPECT_NE(message.find("nosuch"), std::string::npos) << message;
  EXPECT_EQ(searchError(fx, anyone, "nosuch", "latest", ""), ErrorKind::UnknownName);
  EXPECT_EQ(searchError(fx, anyone, "fx", "latest", std::string(201, 'q')), ErrorKind::BadRequest);
  EXPECT_EQ(searchError(fx, anyone, "fx", "a\nb", ""), ErrorKind::InvalidTag);
  EXPECT_EQ(searchError(fx, anyone, "fx", std::string(300, 'r'), ""), ErrorKind::InvalidTag);
  EXPECT_EQ(searchError(fx, anyone, "fx", "../x", ""), ErrorKind::UnknownManifest)
      << "a folder has no such tag";
}

class SourceBrowserAuthTest : public ::testing::Test {
 protected:
  Caller admitted(const std::string& authorization) {
    return fx.access->admit(Requirement::Pull, "fx", authorization, "10.0.0.1");
  }
  test::ServerFixture fx{[](Config& c) {
    c.auth.enabled = true;
    SourceConfig other = c.sources.front();
    other.name = "other";
    other.prefix = "other";
    c.sources.push_back(other);
  }};
};

TEST_F(SourceBrowserAuthTest, OnlyCallersWithAGrantOnTheSourceMayLook) {
  Caller granted = admitted(fx.addUser("ann", "fx-team", "fx", "hello*"));
  EXPECT_EQ(fx.browser->refs(granted, "fx").refs.size(), 2u);
  Caller elsewhere = admitted(fx.addUser("bob", "other-team", "other", "*"));
  std::string message;
  EXPECT_EQ(errorOf([&] { fx.browser->refs(elsewhere, "fx"); }, &message), ErrorKind::Denied);
  EXPECT_NE(message.find("source 'fx'"), std::string::npos) << message;
  EXPECT_EQ(searchError(fx, elsewhere, "fx", "latest", ""), ErrorKind::Denied);
  EXPECT_EQ(fx.browser->refs(elsewhere, "other").source, "other");
  Caller everywhere = admitted(fx.addUser("cy", "all-team", "*", "*"));
  EXPECT_EQ(fx.browser->refs(everywhere, "fx").refs.size(), 2u);
  EXPECT_EQ(errorOf([&] {
              fx.browser->refs(Caller{std::nullopt, "10.0.0.1"}, "fx");
            }),
            ErrorKind::Unauthorized)
      << "a caller the route did not admit";
}

}  // namespace
}  // namespace strata
