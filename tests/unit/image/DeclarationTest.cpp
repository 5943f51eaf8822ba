#include "image/Declaration.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <string>

#include "image/Manifest.h"
#include "util/Error.h"

namespace strata {
namespace {

const std::string kStorePath = "/nix/store/aqa8clr6gi645wgacw8wl12py9kx7xfk-shout";

/// A declaration as strata.nix describes it, with `config` and `user` as given.
std::string described(const std::string& config, const std::string& user = "null",
                      const std::string& keys = R"(["config","contents","user"])") {
  return R"({"attr":"web","keys":)" + keys +
         R"(,"contents":{"list":[{"status":"ok","name":"shout","out":")" + kStorePath +
         R"(","meta":{"description":"Shouts"}}]},"config":)" + config + R"(,"user":)" + user + "}";
}

std::string errorOf(const std::string& json) {
  try {
    parseDeclaration(json);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BuildFailed);
    return e.what();
  }
  return "no error";
}

TEST(DeclarationTest, ReadsEverySetting) {
  auto d = parseDeclaration(described(
      R"({"Entrypoint":[")" + kStorePath + R"(/bin/shout"],"Cmd":["-v"],"Env":["A=1","PATH=/x"],
          "WorkingDir":"/srv/app","ExposedPorts":{"80/tcp":{},"53/udp":{}},
          "Labels":{"team":"web"},"Volumes":{"/data":{}},"StopSignal":"SIGINT"})",
      R"({"name":"app","uid":1000,"gid":100})"));
  EXPECT_EQ(d.name, "web");
  ASSERT_EQ(d.contents.size(), 1u);
  EXPECT_EQ(d.contents[0].meta.description, "Shouts");
  EXPECT_EQ(d.packageNames(), std::vector<std::string>{"shout"});
  EXPECT_EQ(d.config.cmd, std::vector<std::string>{"-v"});
  EXPECT_EQ(d.config.exposedPorts, (std::vector<std::string>{"53/udp", "80/tcp"}));
  EXPECT_EQ(d.config.stopSignal, "SIGINT");
  ASSERT_TRUE(d.user);
  EXPECT_EQ(d.user->home(), "/home/app");
  EXPECT_EQ(d.user->gid, 100u);
  EXPECT_EQ(d.storePathsNamed(), std::vector<std::string>{kStorePath});
}

TEST(DeclarationTest, NamesTheImageAndTheKeyOfEveryMistake) {
  EXPECT_NE(errorOf(described("{}", "null", R"(["contents","tag"])"))
                .find("'web': tag is not a known key"),
            std::string::npos);
  EXPECT_NE(errorOf(described(R"({"Entrypoint":"/bin/sh"})"))
                .find("config.Entrypoint must be a list of strings, not a string"),
            std::string::npos);
  EXPECT_NE(errorOf(described(R"({"Cmd":{"__strataInvalid":"a function"}})"))
                .find("config.Cmd must be a list of strings, not a function"),
            std::string::npos);
  EXPECT_NE(errorOf(described(R"({"Shell":["sh"]})")).find("config.Shell is not a known key"),
            std::string::npos);
  EXPECT_NE(errorOf(described(R"({"Env":["=x"]})")).find("config.Env[0]"), std::string::npos);
  EXPECT_NE(
      errorOf(described(R"({"ExposedPorts":{"0/tcp":{}}})")).find("config.ExposedPorts.0/tcp"),
      std::string::npos);
  EXPECT_NE(errorOf(described(R"({"ExposedPorts":{"80/icmp":{}}})")).find("PORT/tcp"),
            std::string::npos);
  EXPECT_NE(errorOf(described(R"({"Volumes":{"data":{}}})")).find("config.Volumes.data"),
            std::string::npos);
  EXPECT_NE(errorOf(described(R"({"StopSignal":"kill -9"})")).find("config.StopSignal"),
            std::string::npos);
  EXPECT_NE(errorOf(described(R"({"WorkingDir":"relative"})")).find("config.WorkingDir"),
            std::string::npos);
  EXPECT_NE(errorOf(described("{}", R"({"name":"app","uid":65534,"gid":1})")).find("user.uid"),
            std::string::npos);
  EXPECT_NE(errorOf(described("{}", R"({"name":"app","uid":1.5,"gid":1})"))
                .find("user.uid must be a whole number"),
            std::string::npos);
  EXPECT_NE(errorOf(described("{}", R"({"name":"App","uid":5,"gid":1})")).find("user.name"),
            std::string::npos);
  EXPECT_NE(errorOf(described("{}", R"({"name":"app","uid":5,"gid":1,"home":"/"})"))
                .find("user.home is not a known key"),
            std::string::npos);
  EXPECT_NE(errorOf(R"({"attr":"x","invalid":42})")
                .find("'x': the declaration must be a set, not a number"),
            std::string::npos);
  EXPECT_NE(errorOf("[1]").find("unexpected answer"), std::string::npos);
  std::string longList = "[";
  for (int i = 0; i < 300; ++i) longList += std::string(i ? "," : "") + "\"x\"";
  EXPECT_NE(errorOf(described(R"({"Cmd":)" + longList + "]}")).find("more than 256 entries"),
            std::string::npos);
}

TEST(DeclarationTest, ListingKeepsTheGoodAndNamesTheBad) {
  auto listing = parseDeclarations(R"({"web":)" + described("{}") +
                                   R"(,"broken":{"attr":"broken","invalid":"oops"}})");
  ASSERT_EQ(listing.images.size(), 1u);
  EXPECT_EQ(listing.images[0].name, "web");
  ASSERT_EQ(listing.invalid.size(), 1u);
  EXPECT_EQ(listing.invalid[0].first, "broken");
  EXPECT_NE(listing.invalid[0].second.find("must be a set, not a string"), std::string::npos);
}

TEST(DeclarationTest, ConfigCarriesTheSettingsAndKeepsStrataLabels) {
  auto d = parseDeclaration(described(
      R"({"Entrypoint":["/bin/web"],"Env":["MODE=prod"],"Labels":{"dev.strata.source":"forged","team":"web"}})",
      R"({"name":"app","uid":1000,"gid":1000})"));
  ImageOrigin origin{"amd64", "demo", "rev", {"web"}, &d};
  Poco::JSON::Parser parser;
  auto cfg = parser.parse(buildImageConfig(origin, {})).extract<Poco::JSON::Object::Ptr>();
  auto inner = cfg->getObject("config");
  EXPECT_EQ(inner->getValue<std::string>("User"), "1000:1000");
  EXPECT_EQ(inner->getArray("Env")->size(), 2u);
  EXPECT_EQ(inner->getArray("Env")->getElement<std::string>(1), "MODE=prod");
  EXPECT_EQ(inner->getObject("Labels")->getValue<std::string>("dev.strata.source"), "demo");
  EXPECT_EQ(inner->getObject("Labels")->getValue<std::string>("dev.strata.image"), "web");
  EXPECT_EQ(inner->getObject("Labels")->getValue<std::string>("team"), "web");
  // Equal inputs, equal bytes.
  EXPECT_EQ(buildImageConfig(origin, {}), buildImageConfig(origin, {}));
}

}  // namespace
}  // namespace strata
