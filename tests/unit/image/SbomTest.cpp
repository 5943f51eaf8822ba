#include "image/Sbom.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace strata {
namespace {

using Poco::JSON::Object;

const std::string kApp = "/nix/store/0ljldvvxy8rzml5v4madnn6352ssyh72-app-1.0";
const std::string kLibc = "/nix/store/1mws24h95k67aq7wj0i2i3bnmg8qd3dl-glibc-2.37-8";
const std::string kData = "/nix/store/422fq6pz9h6sbhzaral0r9hmqg0znkd2-hello-world";

sdk::ClosureGraph closure() {
  sdk::ClosureGraph g;
  g.paths.push_back({kApp, 1000, {kData, kLibc}, 0, "sha256:" + std::string(64, 'a')});
  g.paths.push_back({kLibc, 30000, {}, 0, "sha256:" + std::string(64, 'b')});
  g.paths.push_back({kData, 40, {}, 0, ""});
  g.roots = {kApp};
  return g;
}

SbomInput input(const sdk::ClosureGraph& graph) {
  return SbomInput{
      "fx",
      "rev1",
      "amd64",
      {"app"},
      {SbomPackage{"app", kApp, PackageMeta{"An app", "https://example.org/app", {"MIT", "Zlib"}}}},
      &graph};
}

Object::Ptr parse(const std::string& json) {
  Poco::JSON::Parser parser;
  return parser.parse(json).extract<Object::Ptr>();
}

Object::Ptr componentFor(const Object::Ptr& doc, const std::string& path) {
  auto list = doc->getArray("components");
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto c = list->getObject(static_cast<unsigned>(i));
    if (c->getValue<std::string>("bom-ref") == path) return c;
  }
  return nullptr;
}

TEST(StorePathNameTest, SplitsLikeNix) {
  auto split = [](const std::string& name) {
    auto nv = splitStorePathName("/nix/store/0ljldvvxy8rzml5v4madnn6352ssyh72-" + name);
    return nv.name + "|" + nv.version;
  };
  EXPECT_EQ(split("hello-2.12.1"), "hello|2.12.1");
  EXPECT_EQ(split("glibc-2.37-8"), "glibc|2.37-8");
  EXPECT_EQ(split("hello-world"), "hello-world|");
  EXPECT_EQ(split("python3.11-requests-2.31.0"), "python3.11-requests|2.31.0");
  EXPECT_EQ(split("openssl-3.0.9-bin"), "openssl|3.0.9-bin");
  EXPECT_EQ(split("busybox"), "busybox|");
  EXPECT_EQ(split("-1.0"), "-1.0|");
}

TEST(SbomTest, OneComponentPerStorePathWithItsHashSizeAndDependencies) {
  auto graph = closure();
  auto doc = parse(buildSbom(input(graph)));
  EXPECT_EQ(doc->getValue<std::string>("bomFormat"), "CycloneDX");
  EXPECT_EQ(doc->getValue<std::string>("specVersion"), "1.5");
  EXPECT_EQ(doc->getArray("components")->size(), 3u);

  auto libc = componentFor(doc, kLibc);
  ASSERT_TRUE(libc);
  EXPECT_EQ(libc->getValue<std::string>("type"), "library");
  EXPECT_EQ(libc->getValue<std::string>("name"), "glibc");
  EXPECT_EQ(libc->getValue<std::string>("version"), "2.37-8");
  auto hash = libc->getArray("hashes")->getObject(0);
  EXPECT_EQ(hash->getValue<std::string>("alg"), "SHA-256");
  EXPECT_EQ(hash->getValue<std::string>("content"), std::string(64, 'b'));
  EXPECT_FALSE(libc->has("licenses")) << "only the requested packages' meta is known";

  auto data = componentFor(doc, kData);
  EXPECT_FALSE(data->has("version"));
  EXPECT_FALSE(data->has("hashes")) << "a closure recorded without NAR hashes has none";

  auto app = componentFor(doc, kApp);
  EXPECT_EQ(app->getValue<std::string>("type"), "application");
  EXPECT_EQ(app->getValue<std::string>("description"), "An app");
  EXPECT_EQ(
      app->getArray("licenses")->getObject(1)->getObject("license")->getValue<std::string>("name"),
      "Zlib");
  EXPECT_EQ(app->getArray("externalReferences")->getObject(0)->getValue<std::string>("url"),
            "https://example.org/app");
  std::set<std::string> props;
  auto list = app->getArray("properties");
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto p = list->getObject(static_cast<unsigned>(i));
    props.insert(p->getValue<std::string>("name") + "=" + p->getValue<std::string>("value"));
  }
  EXPECT_EQ(props, (std::set<std::string>{"nix:attribute=app", "nix:store_path=" + kApp,
                                          "nix:nar_size=1000"}));

  auto deps = doc->getArray("dependencies");
  ASSERT_EQ(deps->size(), 4u);
  auto image = deps->getObject(0);
  EXPECT_EQ(image->getValue<std::string>("ref"), "image");
  EXPECT_EQ(image->getArray("dependsOn")->getElement<std::string>(0), kApp);
  auto appDeps = deps->getObject(1);
  EXPECT_EQ(appDeps->getValue<std::string>("ref"), kApp);
  EXPECT_EQ(appDeps->getArray("dependsOn")->size(), 2u);
  EXPECT_EQ(doc->getObject("metadata")->getObject("component")->getValue<std::string>("version"),
            "rev1");
}

TEST(SbomTest, TheSameInputGivesTheSameBytesAndAnotherInputAnotherSerial) {
  auto graph = closure();
  std::string a = buildSbom(input(graph));
  EXPECT_EQ(a, buildSbom(input(graph)));
  std::string serial = parse(a)->getValue<std::string>("serialNumber");
  EXPECT_TRUE(std::regex_match(
      serial,
      std::regex("urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << serial;
  EXPECT_EQ(a.find("timestamp"), std::string::npos) << "no time in a reproducible document";
  auto other = input(graph);
  other.revision = "rev2";
  EXPECT_NE(parse(buildSbom(other))->getValue<std::string>("serialNumber"), serial);
}

TEST(SbomTest, MarkupInMetaIsJsonTextNotStructure) {
  auto graph = closure();
  auto in = input(graph);
  in.requested[0].meta.description = "\"},{\"injected\":true <script>";
  in.requested[0].meta.licenses = {"\"]"};
  auto doc = parse(buildSbom(in));
  auto app = componentFor(doc, kApp);
  EXPECT_EQ(app->getValue<std::string>("description"), "\"},{\"injected\":true <script>");
  EXPECT_FALSE(app->has("injected"));
  EXPECT_EQ(app->getArray("licenses")->size(), 1u);
}

TEST(SbomTest, NeedsTheClosure) {
  SbomInput in;
  EXPECT_THROW(buildSbom(in), std::invalid_argument);
}

}  // namespace
}  // namespace strata
