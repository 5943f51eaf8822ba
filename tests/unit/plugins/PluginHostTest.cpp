// The plugin host on misbehaving plugins (tests/fixtures/plugins): every way a
// library can fail to be a plugin stops loading with one message naming the
// plugin and the reason; objects keep their library loaded; nonsense answers
// become errors naming the plugin.
#include "plugins/PluginHost.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "../layers/LayeringTestGraph.h"
#include "../support/TestSupport.h"
#include "PluginTestSupport.h"
#include "layers/PopularityStrategy.h"
#include "strata/sdk/abi.h"
#include "util/Error.h"

namespace strata {
namespace {

using test::load;
using test::loadError;
using test::shippedPlugin;
using test::testPlugin;

#define EXPECT_HAS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << (haystack)

/// True while the library at `file` is loaded in this process.
bool isLoaded(const std::string& file) {
  void* h = dlopen(file.c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (h == nullptr) return false;
  dlclose(h);
  return true;
}

TEST(PluginHost, MissingFileNamesThePluginAndTheFile) {
  std::string msg = loadError("ghost", testPlugin("ghost"));
  EXPECT_EQ(msg.rfind("plugin 'ghost': ", 0), 0u) << msg;
  EXPECT_HAS(msg, "no file " + testPlugin("ghost"));
}

TEST(PluginHost, AFolderIsNotAPlugin) {
  test::TempDir dir;
  std::filesystem::create_directories(dir / "odd.so");
  EXPECT_HAS(loadError("odd", dir / "odd.so"), "not a file");
}

TEST(PluginHost, ATextFileIsNotASharedLibrary) {
  test::TempDir dir;
  test::writeFile(dir / "text.so", "#!/bin/sh\necho not a library\n");
  std::string msg = loadError("text", dir / "text.so");
  EXPECT_EQ(msg.rfind("plugin 'text': ", 0), 0u) << msg;
  EXPECT_HAS(msg, "not a shared library");
}

TEST(PluginHost, ATruncatedLibraryReportsDlopensReason) {
  test::TempDir dir;
  std::string whole = test::readFile(shippedPlugin("layering-flat"));
  test::writeFile(dir / "cut.so", whole.substr(0, 200));
  std::string msg = loadError("cut", dir / "cut.so");
  EXPECT_EQ(msg.rfind("plugin 'cut': cannot load ", 0), 0u) << msg;
  EXPECT_HAS(msg, "cut.so");
}

TEST(PluginHost, ALibraryWithoutEntryPointsIsNotAPlugin) {
  std::string msg = loadError("bogus", testPlugin("bogus"));
  EXPECT_EQ(msg.rfind("plugin 'bogus': ", 0), 0u) << msg;
  EXPECT_HAS(msg, "is not a Strata plugin");
  EXPECT_HAS(msg, "strata_plugin_abi");
}

TEST(PluginHost, AMissingRegisterFunctionIsNamed) {
  std::string msg = loadError("no-register", testPlugin("no-register"));
  EXPECT_HAS(msg, "plugin 'no-register'");
  EXPECT_HAS(msg, "entry point strata_plugin_register");
}

TEST(PluginHost, AnotherAbiVersionIsRefusedNamingBothVersions) {
  // The fixture's register function aborts: reaching it fails the test run.
  std::string msg = loadError("wrong-abi", testPlugin("wrong-abi"));
  EXPECT_EQ(msg.rfind("plugin 'wrong-abi': ", 0), 0u) << msg;
  EXPECT_HAS(msg, "SDK ABI version 999");
  EXPECT_HAS(msg, "needs version " + std::to_string(sdk::kAbiVersion));
}

TEST(PluginHost, OtherTypeSizesAreRefused) {
  std::string msg = loadError("wrong-sizes", testPlugin("wrong-sizes"));
  EXPECT_HAS(msg, "plugin 'wrong-sizes'");
  EXPECT_HAS(msg, "sizeof(std::string) = 8");
  EXPECT_HAS(msg, "this strata has " + std::to_string(sizeof(std::string)));
}

TEST(PluginHost, AnExceptionDuringRegistrationIsCaughtAndReported) {
  StrategyRegistry strategies;
  PolicyRegistry policies;
  try {
    PluginHost::load("throws-on-register", testPlugin("throws-on-register"), "{}", strategies,
                     policies);
    FAIL() << "loaded";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(),
                 "plugin 'throws-on-register': registration failed: STRATA-TEST: registration "
                 "refused on purpose");
  }
  // What it registered before throwing is gone, and so is the library.
  EXPECT_FALSE(strategies.has("unused"));
  EXPECT_FALSE(isLoaded(testPlugin("throws-on-register")));
}

TEST(PluginHost, APluginThatRegistersNothingIsRefused) {
  EXPECT_HAS(loadError("nothing", testPlugin("nothing")),
             "plugin 'nothing': it registered no layering strategy and no access policy");
}

TEST(PluginHost, InvalidObjectNamesAreRefused) {
  std::string msg = loadError("bad-names", testPlugin("bad-names"));
  EXPECT_HAS(msg, "plugin 'bad-names'");
  EXPECT_HAS(msg, "invalid name 'Bad Name/..'");
}

TEST(PluginHost, ANameTakenByABuiltInIsRefusedAndNothingIsRegistered) {
  StrategyRegistry strategies;
  PolicyRegistry policies;
  auto builtIn = std::make_shared<PopularityStrategy>();
  strategies.add("popularity", builtIn, "built-in");
  try {
    PluginHost::load("clash", testPlugin("clash"), "{}", strategies, policies);
    FAIL() << "loaded";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(),
                 "plugin 'clash': layering strategy 'popularity' is already registered by "
                 "built-in");
  }
  EXPECT_EQ(strategies.get("popularity").strategy, builtIn);
  EXPECT_EQ(strategies.names().size(), 1u);
}

TEST(PluginHost, PluginNamesCannotLeaveTheFolder) {
  for (const std::string& bad : std::vector<std::string>{
           "../layering-flat", "a/b", "", ".hidden", "-x", "white space", std::string(65, 'a')}) {
    SCOPED_TRACE(bad);
    EXPECT_HAS(loadError(bad, shippedPlugin("layering-flat")), "invalid plugin name");
  }
  EXPECT_TRUE(isValidPluginName("layering-flat"));
  EXPECT_TRUE(isValidPluginName("Acme_Policy.v2"));
}

TEST(PluginHost, ReportsWhatALoadedPluginProvides) {
  auto l = load("deny-all", testPlugin("deny-all"));
  EXPECT_EQ(l->info.name, "deny-all");
  EXPECT_EQ(l->info.file, std::filesystem::absolute(testPlugin("deny-all")).lexically_normal());
  EXPECT_EQ(l->info.abiVersion, sdk::kAbiVersion);
  ASSERT_EQ(l->info.provides.size(), 2u);
  EXPECT_EQ(l->info.provides[0].kind, "layering");
  EXPECT_EQ(l->info.provides[0].name, "one-per-path");
  EXPECT_EQ(l->info.provides[1].kind, "policy");
  EXPECT_EQ(l->info.provides[1].name, "deny-all");
  EXPECT_EQ(l->strategies.get("one-per-path").origin, "deny-all");
  EXPECT_EQ(l->policies.entries().at(0).origin, "deny-all");
}

TEST(PluginHost, HandsThePluginItsConfiguration) {
  auto l = load("deny-all", testPlugin("deny-all"), R"({"reason": "STRATA-TEST-REASON"})");
  sdk::ImageInfo image{"fx", {"hello"}, "rev", "amd64", nullptr};
  auto d = l->policy("deny-all")->check(sdk::Subject{"alice", {"devs"}, "10.0.0.1"}, "pull", image);
  EXPECT_FALSE(d.allow);
  EXPECT_EQ(d.reason,
            "STRATA-TEST-REASON [user=alice address=10.0.0.1 action=pull source=fx closure=none]");
}

TEST(PluginHost, ABadConfigurationIsTheRegistrationError) {
  EXPECT_EQ(loadError("deny-all", testPlugin("deny-all"), R"({"reasons": "x"})"),
            "plugin 'deny-all': registration failed: plugins.config.deny-all.reasons is not a "
            "known key");
  EXPECT_HAS(loadError("deny-all", testPlugin("deny-all"), "{not json"),
             "plugin 'deny-all': registration failed: invalid JSON");
}

TEST(PluginHost, ObjectsKeepTheirLibraryLoaded) {
  const std::string file = testPlugin("deny-all");
  ASSERT_FALSE(isLoaded(file));
  std::shared_ptr<sdk::LayeringStrategy> survivor;
  {
    auto l = load("deny-all", file);
    survivor = l->strategy("one-per-path");
    EXPECT_TRUE(isLoaded(file));
  }  // registries and host gone: only `survivor` holds the library now
  EXPECT_TRUE(isLoaded(file));
  auto graph = test::GraphBuilder().add("a", 1, {"b"}).add("b", 1).root("a").build();
  auto plan = survivor->plan(graph, 10);  // the plugin's code, still mapped
  ASSERT_TRUE(plan.ok);
  EXPECT_EQ(plan.layers.size(), 2u);
  survivor.reset();  // the plugin's destructor runs, then the library goes
  EXPECT_FALSE(isLoaded(file));
}

TEST(PluginHost, TheConstructorLoadsInOrderAndStopsAtTheFirstFailure) {
  StrategyRegistry strategies;
  PolicyRegistry policies;
  PluginsConfig config;
  config.directory = STRATA_PLUGIN_DIR;
  config.load = {"layering-flat", "layering-auto"};
  PluginHost host(config, strategies, policies);
  ASSERT_EQ(host.plugins().size(), 2u);
  EXPECT_EQ(host.plugins()[0].name, "layering-flat");
  EXPECT_EQ(host.plugins()[1].name, "layering-auto");
  EXPECT_EQ(strategies.names(), (std::vector<std::string>{"auto", "flat"}));

  StrategyRegistry s2;
  PolicyRegistry p2;
  config.load = {"layering-flat", "no-such-plugin", "layering-auto"};
  try {
    PluginHost failing(config, s2, p2);
    FAIL() << "loaded";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("plugin 'no-such-plugin': no file ", 0), 0u) << e.what();
  }
  EXPECT_FALSE(s2.has("auto"));

  config.load = {"layering-flat", "layering-flat"};
  StrategyRegistry s3;
  PolicyRegistry p3;
  EXPECT_THROW(PluginHost(config, s3, p3), std::runtime_error);
}

TEST(PluginHost, TheSameStrategyFromTwoPluginsIsRefused) {
  StrategyRegistry strategies;
  PolicyRegistry policies;
  PluginHost::load("layering-flat", shippedPlugin("layering-flat"), "{}", strategies, policies);
  try {
    // The same library under another plugin name registers `flat` again.
    PluginHost::load("flat-again", shippedPlugin("layering-flat"), "{}", strategies, policies);
    FAIL() << "loaded";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(),
                 "plugin 'flat-again': layering strategy 'flat' is already registered by "
                 "layering-flat");
  }
}

// ---------------------------------------------------------------------------
// Strategies answering nonsense: planLayers turns each into Error(Internal)
// naming the strategy and the plugin (the server answers 500 and carries on).

std::string planError(const std::string& strategy) {
  auto l = load("bad-plans", testPlugin("bad-plans"));
  auto graph = test::GraphBuilder()
                   .add("app", 10, {"lib"})
                   .add("lib", 5)
                   .add("data", 7)
                   .root("app")
                   .root("data")
                   .build();
  try {
    planLayers(l->strategies.get(strategy), strategy, graph, 4);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Internal);
    return e.what();
  }
  ADD_FAILURE() << strategy << " was accepted";
  return "";
}

TEST(PluginHost, InvalidPlansFailNamingStrategyAndPlugin) {
  struct Case {
    const char* strategy;
    const char* reason;
  };
  for (const Case& c :
       {Case{"outside", "not-in-closure', which is not in the closure"},
        Case{"twice", "is in more than one layer"}, Case{"missing", "is in no layer"},
        Case{"too-many", "layers for a budget of 4"}, Case{"empty-layer", "an empty layer"},
        Case{"fails", "STRATA-TEST: this strategy always fails"},
        Case{"throws", "unknown exception"}}) {
    SCOPED_TRACE(c.strategy);
    std::string msg = planError(c.strategy);
    EXPECT_HAS(msg, std::string("layering strategy '") + c.strategy + "' (bad-plans) failed: ");
    EXPECT_HAS(msg, c.reason);
  }
}

}  // namespace
}  // namespace strata
