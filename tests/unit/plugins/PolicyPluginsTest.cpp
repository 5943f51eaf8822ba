// The shipped access-policy plugins, loaded through the host, on hand-made
// requests: policy-denylist (`denylist`) and policy-network (`network`).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "../layers/LayeringTestGraph.h"
#include "PluginTestSupport.h"
#include "util/Error.h"

namespace strata {
namespace {

using test::GraphBuilder;

#define EXPECT_HAS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << (haystack)

const sdk::Subject kAlice{"alice", {"devs"}, "127.0.0.1"};

sdk::ClosureGraph shoutClosure() {
  return GraphBuilder()
      .add("shout", 1, {"fixture-words-1.0", "toupper"})
      .add("fixture-words-1.0", 1)
      .add("toupper", 1)
      .root("shout")
      .build();
}

sdk::Decision ask(const test::Loaded& l, const std::string& policy, const sdk::Subject& who,
                  const std::string& source, std::vector<std::string> packages,
                  const sdk::ClosureGraph* closure = nullptr) {
  sdk::ImageInfo image{source, std::move(packages), "rev1", "amd64", closure};
  return l.policy(policy)->check(who, "pull", image);
}

// ---------------------------------------------------------------------------
// policy-denylist

std::unique_ptr<test::Loaded> denylist(const std::string& config) {
  return test::load("policy-denylist", test::shippedPlugin("policy-denylist"), config);
}

const char* kRules = R"({"rules": [
  {"source": "fx", "closureContains": "fixture-words", "reason": "words are banned"},
  {"source": "*", "packages": "tools.*", "reason": "no tools"},
  {"source": "demo", "packages": "cow?ay", "reason": "no cows"}
]})";

TEST(DenylistPolicy, ClosureRulesDecideAfterTheBuild) {
  auto l = denylist(kRules);
  auto closure = shoutClosure();
  // Before the build the closure is unknown: allowed for now.
  EXPECT_TRUE(ask(*l, "denylist", kAlice, "fx", {"shout"}).allow);
  auto d = ask(*l, "denylist", kAlice, "fx", {"shout"}, &closure);
  EXPECT_FALSE(d.allow);
  EXPECT_EQ(d.reason, "words are banned (the image holds fixture-words-1.0)");
  // The rule is for source fx only.
  EXPECT_TRUE(ask(*l, "denylist", kAlice, "demo", {"shout"}, &closure).allow);
  // Other closures pass.
  auto hello = GraphBuilder().add("hello", 1).root("hello").build();
  EXPECT_TRUE(ask(*l, "denylist", kAlice, "fx", {"hello"}, &hello).allow);
}

TEST(DenylistPolicy, ClosureRulesMatchTheNameNotTheHash) {
  auto l =
      denylist(R"({"rules": [{"source": "*", "closureContains": "/nix/store", "reason": "r"}]})");
  auto closure = shoutClosure();
  EXPECT_TRUE(ask(*l, "denylist", kAlice, "fx", {"shout"}, &closure).allow);
}

TEST(DenylistPolicy, PackageRulesDecideBeforeTheBuildIgnoringCase) {
  auto l = denylist(kRules);
  auto d = ask(*l, "denylist", kAlice, "fx", {"hello", "tools.jsonpretty"});
  EXPECT_FALSE(d.allow);
  EXPECT_EQ(d.reason, "no tools (package tools.jsonpretty)");
  EXPECT_FALSE(ask(*l, "denylist", kAlice, "demo", {"Tools.JsonPretty"}).allow);
  EXPECT_FALSE(ask(*l, "denylist", kAlice, "demo", {"cowsay"}).allow);
  EXPECT_TRUE(ask(*l, "denylist", kAlice, "fx", {"cowsay"}).allow);  // that rule is demo's
  EXPECT_TRUE(ask(*l, "denylist", kAlice, "demo", {"toolsx", "hello"}).allow);
}

TEST(DenylistPolicy, NoRulesAllowEverything) {
  auto l = denylist("{}");
  auto closure = shoutClosure();
  EXPECT_TRUE(ask(*l, "denylist", kAlice, "fx", {"shout"}, &closure).allow);
}

TEST(DenylistPolicy, BadRulesStopStartUpNamingTheKey) {
  auto error = [](const std::string& config) {
    return test::loadError("policy-denylist", test::shippedPlugin("policy-denylist"), config);
  };
  const std::string base = "plugin 'policy-denylist': registration failed: ";
  EXPECT_EQ(error(R"({"rule": []})"),
            base + "plugins.config.policy-denylist.rule is not a known key");
  EXPECT_EQ(error(R"({"rules": {}})"),
            base + "plugins.config.policy-denylist.rules must be a list");
  EXPECT_EQ(error(R"({"rules": [{"source": "fx", "reason": "r"}]})"),
            base +
                "plugins.config.policy-denylist.rules[0] needs exactly one of packages and "
                "closureContains");
  EXPECT_EQ(error(R"({"rules": [{"source": "fx", "packages": "a", "closureContains": "b",
                                 "reason": "r"}]})"),
            base +
                "plugins.config.policy-denylist.rules[0] needs exactly one of packages and "
                "closureContains");
  EXPECT_EQ(error(R"({"rules": [{"source": "fx", "packages": "a"}]})"),
            base + "plugins.config.policy-denylist.rules[0].reason is required");
  EXPECT_EQ(error(R"({"rules": [{"packages": "a", "reason": "r"}]})"),
            base + "plugins.config.policy-denylist.rules[0].source is required");
  EXPECT_EQ(error(R"({"rules": [{"source": "*", "packages": "", "reason": "r"}]})"),
            base + "plugins.config.policy-denylist.rules[0].packages must not be empty");
  EXPECT_EQ(error(R"({"rules": [{"source": 1, "packages": "a", "reason": "r"}]})"),
            base + "plugins.config.policy-denylist.rules[0].source must be a string");
  EXPECT_EQ(error(R"({"rules": [{"source": "*", "packages": "a", "reason": "r", "x": 1}]})"),
            base + "plugins.config.policy-denylist.rules[0].x is not a known key");
}

// ---------------------------------------------------------------------------
// policy-network

std::unique_ptr<test::Loaded> network(const std::string& config) {
  return test::load("policy-network", test::shippedPlugin("policy-network"), config);
}

sdk::Subject from(const std::string& address) {
  return sdk::Subject{"", {}, address};
}

TEST(NetworkPolicy, AllowsOnlyAddressesInTheSourcesList) {
  auto l =
      network(R"({"sources": {"fx": ["127.0.0.1/32", "10.0.0.0/8"], "walled": ["192.0.2.0/24"]}})");
  EXPECT_TRUE(ask(*l, "network", from("127.0.0.1"), "fx", {"hello"}).allow);
  EXPECT_TRUE(ask(*l, "network", from("10.200.3.4"), "fx", {"hello"}).allow);
  auto d = ask(*l, "network", from("11.0.0.1"), "fx", {"hello"});
  EXPECT_FALSE(d.allow);
  EXPECT_EQ(d.reason, "client address 11.0.0.1 is not in the allowlist of source 'fx'");
  EXPECT_FALSE(ask(*l, "network", from("127.0.0.1"), "walled", {"hello"}).allow);
  EXPECT_TRUE(ask(*l, "network", from("192.0.2.77"), "walled", {"hello"}).allow);
  // A source without a list and without "*" is open.
  EXPECT_TRUE(ask(*l, "network", from("203.0.113.9"), "demo", {"hello"}).allow);
}

TEST(NetworkPolicy, StarIsTheListOfEveryOtherSource) {
  auto l = network(R"({"sources": {"*": ["127.0.0.0/8"], "open": ["0.0.0.0/0", "::/0"]}})");
  EXPECT_TRUE(ask(*l, "network", from("127.9.9.9"), "demo", {}).allow);
  EXPECT_FALSE(ask(*l, "network", from("8.8.8.8"), "demo", {}).allow);
  EXPECT_TRUE(ask(*l, "network", from("8.8.8.8"), "open", {}).allow);
  EXPECT_TRUE(ask(*l, "network", from("2001:db8::1"), "open", {}).allow);
}

TEST(NetworkPolicy, Ipv6AndMappedIpv4) {
  auto l = network(R"({"sources": {"fx": ["2001:db8::/32", "::1", "127.0.0.1"]}})");
  EXPECT_TRUE(ask(*l, "network", from("2001:db8:1:2::3"), "fx", {}).allow);
  EXPECT_FALSE(ask(*l, "network", from("2001:db9::1"), "fx", {}).allow);
  EXPECT_TRUE(ask(*l, "network", from("::1"), "fx", {}).allow);
  EXPECT_TRUE(ask(*l, "network", from("::ffff:127.0.0.1"), "fx", {}).allow);
  EXPECT_FALSE(ask(*l, "network", from("127.0.0.2"), "fx", {}).allow);  // a host entry is /32
}

TEST(NetworkPolicy, AnUnparsableClientAddressIsDenied) {
  auto l = network(R"({"sources": {"fx": ["0.0.0.0/0"]}})");
  auto d = ask(*l, "network", from(""), "fx", {});
  EXPECT_FALSE(d.allow);
  EXPECT_HAS(d.reason, "is not an IP address");
}

TEST(NetworkPolicy, BadListsStopStartUp) {
  auto error = [](const std::string& config) {
    return test::loadError("policy-network", test::shippedPlugin("policy-network"), config);
  };
  const std::string base = "plugin 'policy-network': registration failed: ";
  EXPECT_EQ(
      error(R"({"sources": {"fx": ["10.0.0.0/33"]}})"),
      base + "plugins.config.policy-network.sources.fx: '10.0.0.0/33' has a bad prefix length");
  EXPECT_EQ(error(R"({"sources": {"fx": ["10.0.0.1/8"]}})"),
            base +
                "plugins.config.policy-network.sources.fx: '10.0.0.1/8' has host bits set after "
                "the prefix");
  EXPECT_EQ(error(R"({"sources": {"fx": ["example.com"]}})"),
            base +
                "plugins.config.policy-network.sources.fx: 'example.com' is not an IP address or "
                "CIDR");
  EXPECT_EQ(error(R"({"sources": {"fx": "10.0.0.0/8"}})"),
            base + "plugins.config.policy-network.sources.fx must be a list");
  EXPECT_EQ(error(R"({"allow": {}})"),
            base + "plugins.config.policy-network.allow is not a known key");
}

// ---------------------------------------------------------------------------
// A plugin that does not answer (tests/fixtures/plugins/hangs.cpp)

TEST(PluginDeadline, APolicyThatDoesNotAnswerFailsTheCheckNamingIt) {
  auto l = test::load("hangs", test::testPlugin("hangs"), R"({"seconds": 5})");
  l->policies.setDeadline(std::chrono::milliseconds(200));
  auto closure = std::make_shared<const sdk::ClosureGraph>(shoutClosure());
  sdk::ImageInfo image{"fx", {"shout"}, "rev1", "amd64", closure.get()};
  auto start = std::chrono::steady_clock::now();
  try {
    l->policies.check(kAlice, "pull", image, closure);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Internal);
    EXPECT_HAS(e.what(),
               "access policy 'hangs' (plugin hangs) did not answer within "
               "plugins.timeoutSeconds (200 ms)");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2))
      << "the check waits for the deadline, not for the plugin";
}

TEST(PluginDeadline, APolicyAnsweringInTimeIsHeard) {
  auto l = test::load("hangs", test::testPlugin("hangs"), R"({"source": "slow", "seconds": 5})");
  l->policies.setDeadline(std::chrono::milliseconds(2000));
  EXPECT_FALSE(l->policies.check(kAlice, "pull", {"fx", {"shout"}, "rev1", "amd64", nullptr}));
}

}  // namespace
}  // namespace strata
