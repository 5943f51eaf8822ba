#include "cli/Arguments.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace strata {
namespace {

using Args = std::vector<std::string>;

std::string errorOf(const Args& args) {
  try {
    parseArguments(args);
  } catch (const std::invalid_argument& e) {
    std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "not one line: " << msg;
    return msg;
  }
  ADD_FAILURE() << "accepted";
  return "";
}

#define EXPECT_MENTIONS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << (text)

TEST(Arguments, Version) {
  EXPECT_EQ(parseArguments({"--version"}).command, Arguments::Command::Version);
  EXPECT_EQ(parseArguments({"version"}).command, Arguments::Command::Version);
}

TEST(Arguments, Help) {
  for (const char* h : {"--help", "-h", "help"})
    EXPECT_EQ(parseArguments({h}).command, Arguments::Command::Help) << h;
}

TEST(Arguments, ServeWithConfig) {
  Arguments a = parseArguments({"serve", "--config", "/etc/strata.json"});
  EXPECT_EQ(a.command, Arguments::Command::Serve);
  EXPECT_EQ(a.configFile, "/etc/strata.json");
  EXPECT_TRUE(a.overrides.empty());
  EXPECT_TRUE(a.verb.empty());
}

TEST(Arguments, ConfigWithEquals) {
  EXPECT_EQ(parseArguments({"serve", "--config=/etc/s.json"}).configFile, "/etc/s.json");
  EXPECT_EQ(parseArguments({"serve", "--config=a=b.json"}).configFile, "a=b.json");
}

TEST(Arguments, RepeatedSet) {
  Arguments a = parseArguments({"serve", "--set", "nix.timeoutSeconds=5", "--config", "c.json",
                                "--set=listen=0.0.0.0:1", "--set", "sources.0.path=/x"});
  EXPECT_EQ(a.configFile, "c.json");
  EXPECT_EQ(a.overrides, (std::vector<std::string>{"nix.timeoutSeconds=5", "listen=0.0.0.0:1",
                                                   "sources.0.path=/x"}));
}

TEST(Arguments, LastConfigWins) {
  EXPECT_EQ(parseArguments({"serve", "--config", "a", "--config", "b"}).configFile, "b");
}

TEST(Arguments, MissingConfig) {
  EXPECT_MENTIONS(errorOf({"serve"}), "--config");
  EXPECT_MENTIONS(errorOf({"admin", "gc"}), "--config");
  EXPECT_MENTIONS(errorOf({"serve", "--config"}), "needs a value");
  EXPECT_MENTIONS(errorOf({"serve", "--config", "c", "--set"}), "needs a value");
}

TEST(Arguments, UnknownOptionAndCommand) {
  EXPECT_MENTIONS(errorOf({"serve", "--config", "c", "--verbose"}), "'--verbose'");
  EXPECT_MENTIONS(errorOf({"serve", "--configfile", "c"}), "'--configfile'");
  EXPECT_MENTIONS(errorOf({"frobnicate"}), "'frobnicate'");
  EXPECT_MENTIONS(errorOf({}), "no command");
  EXPECT_MENTIONS(errorOf({"serve", "--config", "c", "extra"}), "'extra'");
}

TEST(Arguments, AdminVerbAndItsArguments) {
  Arguments a =
      parseArguments({"admin", "--config", "c.json", "grant", "team", "demo", "py*", "pull"});
  EXPECT_EQ(a.command, Arguments::Command::Admin);
  EXPECT_EQ(a.configFile, "c.json");
  EXPECT_EQ(a.verb, (std::vector<std::string>{"grant", "team", "demo", "py*", "pull"}));
}

TEST(Arguments, AdminOptionsBeforeTheVerb) {
  Arguments a =
      parseArguments({"admin", "--set", "dataDir=/d", "--config=c", "build", "demo/hello:v1"});
  EXPECT_EQ(a.overrides, (std::vector<std::string>{"dataDir=/d"}));
  EXPECT_EQ(a.verb, (std::vector<std::string>{"build", "demo/hello:v1"}));
}

TEST(Arguments, EverythingAfterTheVerbBelongsToIt) {
  Arguments a =
      parseArguments({"admin", "--config", "c", "user", "add", "--set", "x=y", "--weird"});
  EXPECT_EQ(a.verb, (std::vector<std::string>{"user", "add", "--set", "x=y", "--weird"}));
  EXPECT_TRUE(a.overrides.empty());
}

TEST(Arguments, AdminNeedsAVerb) {
  EXPECT_MENTIONS(errorOf({"admin", "--config", "c"}), "verb");
}

TEST(Arguments, UsageMentionsTheCommands) {
  std::string usage = kUsage;
  EXPECT_MENTIONS(usage, "strata serve --config FILE");
  EXPECT_MENTIONS(usage, "strata admin --config FILE");
  EXPECT_MENTIONS(usage, "strata --version");
}

}  // namespace
}  // namespace strata
