#include "nix/NixDriver.h"

#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

namespace strata {
namespace {

const std::string kHashA = "0ljldvvxy8rzml5v4madnn6352ssyh72";
const std::string kHashB = "1mws24h95k67aq7wj0i2i3bnmg8qd3dl";
const std::string kHashC = "422fq6pz9h6sbhzaral0r9hmqg0znkd2";
const std::string A = "/nix/store/" + kHashA + "-app-1.0";
const std::string B = "/nix/store/" + kHashB + "-glibc-2.37-8";
const std::string C = "/nix/store/" + kHashC + "-zlib-1.3";

std::string entry(const std::string& path, const std::string& narSize,
                  const std::vector<std::string>& refs) {
  std::string r = "[";
  for (std::size_t i = 0; i < refs.size(); ++i) r += (i ? ",\"" : "\"") + refs[i] + "\"";
  r += "]";
  return R"({"path":")" + path + R"(","narSize":)" + narSize + R"(,"references":)" + r +
         R"(,"valid":true})";
}

std::string list(const std::vector<std::string>& entries) {
  std::string out = "[";
  for (std::size_t i = 0; i < entries.size(); ++i) out += (i ? "," : "") + entries[i];
  return out + "]";
}

TEST(ParsePathInfo, ValidGraphIsSortedWithoutSelfReferences) {
  std::string json =
      list({entry(C, "300", {B, C}), entry(A, "100", {C, B, A, B}), entry(B, "2000000", {B})});
  auto g = NixDriver::parsePathInfo(json, {A});
  ASSERT_EQ(g.paths.size(), 3u);
  EXPECT_EQ(g.paths[0].path, A);
  EXPECT_EQ(g.paths[0].narSize, 100u);
  EXPECT_EQ(g.paths[0].references, (std::vector<std::string>{B, C}));  // sorted, unique, no self
  EXPECT_EQ(g.paths[1].path, B);
  EXPECT_EQ(g.paths[1].narSize, 2000000u);
  EXPECT_TRUE(g.paths[1].references.empty());
  EXPECT_EQ(g.paths[2].path, C);
  EXPECT_EQ(g.paths[2].references, (std::vector<std::string>{B}));
  for (const auto& p : g.paths) EXPECT_EQ(p.popularity, 0u);
  EXPECT_EQ(g.roots, (std::vector<std::string>{A}));
}

TEST(ParsePathInfo, RootsAreSortedAndUnique) {
  std::string json = list({entry(A, "1", {}), entry(B, "1", {})});
  auto g = NixDriver::parsePathInfo(json, {B, A, B});
  EXPECT_EQ(g.roots, (std::vector<std::string>{A, B}));
}

TEST(ParsePathInfo, MissingReferencesListMeansNone) {
  auto g = NixDriver::parsePathInfo(R"([{"path":")" + A + R"(","narSize":5}])", {A});
  ASSERT_EQ(g.paths.size(), 1u);
  EXPECT_TRUE(g.paths[0].references.empty());
}

TEST(ParsePathInfo, LargeNarSize) {
  auto g = NixDriver::parsePathInfo(list({entry(A, "9000000000000", {})}), {A});
  EXPECT_EQ(g.paths[0].narSize, 9000000000000u);
}

TEST(ParsePathInfo, ReferenceOutsideTheClosureThrows) {
  EXPECT_THROW(NixDriver::parsePathInfo(list({entry(A, "1", {B})}), {A}), std::exception);
}

TEST(ParsePathInfo, PathsThatAreNotStorePathsThrow) {
  for (const std::string& bad : std::vector<std::string>{
           "/etc/passwd", "/nix/store/../x", "/nix/store/" + kHashA + "-a/../../x",
           "/nix/store/" + kHashA + "-..", "nix/store/" + kHashA + "-a", ""}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW(NixDriver::parsePathInfo(list({entry(bad, "1", {})}), {bad}), std::exception);
  }
  // ... and as a reference.
  EXPECT_THROW(NixDriver::parsePathInfo(list({entry(A, "1", {"/etc/passwd"})}), {A}),
               std::exception);
}

TEST(ParsePathInfo, BadNarSizesThrow) {
  for (std::string bad : {"-1", "1.5", "\"100\"", "null", "true"}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW(NixDriver::parsePathInfo(list({entry(A, bad, {})}), {A}), std::exception);
  }
  EXPECT_THROW(NixDriver::parsePathInfo(R"([{"path":")" + A + R"("}])", {A}), std::exception);
}

TEST(ParsePathInfo, MissingRootThrows) {
  EXPECT_THROW(NixDriver::parsePathInfo(list({entry(A, "1", {})}), {A, B}), std::exception);
  EXPECT_THROW(NixDriver::parsePathInfo("[]", {A}), std::exception);
}

TEST(ParsePathInfo, MalformedDocumentsThrow) {
  EXPECT_THROW(NixDriver::parsePathInfo("", {}), std::exception);
  EXPECT_THROW(NixDriver::parsePathInfo("{", {}), std::exception);
  EXPECT_THROW(NixDriver::parsePathInfo(R"({")" + A + R"(":{}})", {}), std::exception);
  EXPECT_THROW(NixDriver::parsePathInfo("[1]", {}), std::exception);
  EXPECT_THROW(NixDriver::parsePathInfo(list({entry(A, "1", {}), entry(A, "1", {})}), {A}),
               std::exception);  // duplicate
  EXPECT_THROW(
      NixDriver::parsePathInfo(R"([{"path":")" + A + R"(","narSize":1,"references":[1]}])", {A}),
      std::exception);
}

TEST(ParsePathInfo, EmptyClosureWithoutRoots) {
  auto g = NixDriver::parsePathInfo("[]", {});
  EXPECT_TRUE(g.paths.empty());
  EXPECT_TRUE(g.roots.empty());
}

TEST(IsStorePath, AcceptsWellFormedPaths) {
  EXPECT_TRUE(isStorePath(A));
  EXPECT_TRUE(isStorePath("/nix/store/" + kHashA + "-x"));
  EXPECT_TRUE(isStorePath("/nix/store/" + kHashA + "-python3.11-requests-2.31.0"));
  EXPECT_TRUE(isStorePath("/nix/store/" + kHashA + "-gtk+-3.24_x?y=z"));
  EXPECT_TRUE(isStorePath("/nix/store/" + kHashA + "-...a"));
}

TEST(IsStorePath, RejectsEverythingElse) {
  for (const std::string& bad :
       std::vector<std::string>{std::string(""),
                                std::string("/etc/passwd"),
                                "/nix/store/" + kHashA,
                                "/nix/store/" + kHashA + "-",
                                "/nix/store/" + kHashA + "-.",
                                "/nix/store/" + kHashA + "-..",
                                "/nix/store/" + kHashA + "-a/b",
                                "/nix/store/" + kHashA + "-a b",
                                "/nix/store/" + kHashA + "-a\nb",
                                "/nix/store/" + kHashA + "-caf\xc3\xa9",
                                "/nix/store/" + kHashA + "-$(id)",
                                "/nix/store/" + kHashA + "-a;b",
                                "/nix/store/" + kHashA.substr(0, 31) + "-short-hash",
                                "/nix/store/" + kHashA + "x-long-hash",
                                "/nix/store/0LJLDVVXY8RZML5V4MADNN6352SSYH72-upper",
                                "/nix/store/" + kHashA.substr(0, 31) + "_-x",
                                "/nix/store/../" + kHashA + "-x",
                                "nix/store/" + kHashA + "-x",
                                "/nix/storeX/" + kHashA + "-x",
                                "//nix/store/" + kHashA + "-x"}) {
    EXPECT_FALSE(isStorePath(bad)) << bad;
  }
}

TEST(LastLines, KeepsTheLastLines) {
  EXPECT_EQ(lastLines("a\nb\nc\nd", 2), "c\nd");
  EXPECT_EQ(lastLines("a\nb\nc\nd\n", 2), "c\nd");
  EXPECT_EQ(lastLines("a\nb\nc\nd\n\n\r\n", 1), "d");
  EXPECT_EQ(lastLines("a\nb", 5), "a\nb");
  EXPECT_EQ(lastLines("a\nb", 2), "a\nb");
  EXPECT_EQ(lastLines("single", 1), "single");
  EXPECT_EQ(lastLines("", 3), "");
  EXPECT_EQ(lastLines("\n\n", 3), "");
}

TEST(LastLines, LeadingNewlineIsNotPartOfTheTail) {
  EXPECT_EQ(lastLines("\nonly", 1), "only");
  EXPECT_EQ(lastLines("\nx\ny", 1), "y");
}

TEST(LastLines, ZeroLinesIsEmpty) {
  EXPECT_EQ(lastLines("a\nb", 0), "");
}

TEST(SystemFor, MapsArchitectures) {
  EXPECT_EQ(NixDriver::systemFor("amd64"), "x86_64-linux");
  EXPECT_EQ(NixDriver::systemFor("arm64"), "aarch64-linux");
  EXPECT_EQ(NixDriver::systemFor(""), "x86_64-linux");
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

Poco::JSON::Object::Ptr metaJson(const std::string& json) {
  Poco::JSON::Parser parser;
  return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

TEST(PackageMetaTest, KeepsWhatIsWellFormed) {
  auto meta = NixDriver::parseMeta(metaJson(
      R"({"description":"A tool","homepage":"https://example.org/x?a=1","licenses":["MIT","GPL-3.0-only"]})"));
  EXPECT_EQ(meta.description, "A tool");
  EXPECT_EQ(meta.homepage, "https://example.org/x?a=1");
  EXPECT_EQ(meta.licenses, (std::vector<std::string>{"MIT", "GPL-3.0-only"}));
  EXPECT_TRUE(NixDriver::parseMeta(nullptr).description.empty());
  auto empty =
      NixDriver::parseMeta(metaJson(R"({"description":null,"homepage":null,"licenses":[]})"));
  EXPECT_TRUE(empty.description.empty() && empty.homepage.empty() && empty.licenses.empty());
}

TEST(PackageMetaTest, LeavesOutOrBoundsWhatAPackageSetShouldNotSay) {
  std::string longText(5000, 'x');
  auto meta = NixDriver::parseMeta(
      metaJson(R"({"description":"a\u0000b\u001b[31mc\nd\té)" + longText +
               R"(",)"
               R"J("homepage":"javascript:alert(1)","licenses":[42,null,"MIT","MIT",{"x":1},")J" +
               std::string(300, 'L') + R"("]})"));
  EXPECT_EQ(meta.description.substr(0, 12), "ab[31mc d \xC3\xA9");
  EXPECT_LE(meta.description.size(), 1000u);
  EXPECT_TRUE(meta.homepage.empty()) << "only http(s) URLs";
  ASSERT_EQ(meta.licenses.size(), 2u) << "strings only, no duplicates";
  EXPECT_EQ(meta.licenses[0], "MIT");
  EXPECT_EQ(meta.licenses[1].size(), 100u);
  for (const std::string bad :
       {"http://", "https://a b", "ftp://x", "https://x\\\"y", "https://<x>"})
    EXPECT_TRUE(NixDriver::parseMeta(metaJson(R"({"homepage":")" + bad + R"("})")).homepage.empty())
        << bad;
  // A cut never splits a UTF-8 character.
  auto cut = NixDriver::parseMeta(metaJson(R"({"description":")" + std::string(999, 'a') + "é\"}"));
  EXPECT_EQ(cut.description, std::string(999, 'a'));
  std::string list;
  for (int i = 0; i < 40; ++i) list += (i ? ",\"L" : "\"L") + std::to_string(i) + "\"";
  EXPECT_EQ(NixDriver::parseMeta(metaJson(R"({"licenses":[)" + list + "]}")).licenses.size(), 16u);
}

TEST(PackageListTest, ReadsSortsAndBoundsTheListing) {
  auto list = NixDriver::parsePackageList(
      R"({"packages":[{"attr":"zed","name":"zed","version":"1","description":"Last"},)"
      R"({"attr":"hello","name":"hello","version":"2.12","description":"Greets"}],)"
      R"("truncated":false})");
  ASSERT_EQ(list.packages.size(), 2u);
  EXPECT_EQ(list.packages[0].attr, "hello") << "sorted by attribute path";
  EXPECT_EQ(list.packages[0].version, "2.12");
  EXPECT_EQ(list.packages[1].description, "Last");
  EXPECT_FALSE(list.truncated);
  EXPECT_TRUE(NixDriver::parsePackageList(R"({"packages":[],"truncated":true})").truncated);
}

TEST(PackageListTest, LeavesOutOrCutsWhatIsOfTheWrongShape) {
  std::string longText(5000, 'd');
  auto list = NixDriver::parsePackageList(
      R"({"packages":[42,null,{"name":"no attr"},{"attr":""},)"
      R"({"attr":"odd","name":7,"version":null,"description":"a\u0000b\u001b[31mc\nd)" +
      longText +
      R"("},)"
      R"({"attr":")" +
      std::string(1000, 'a') + R"(","name":")" + std::string(1000, 'n') + R"(","version":")" +
      std::string(1000, 'v') + R"(","description":"caf\u00e9"}]})");
  ASSERT_EQ(list.packages.size(), 2u);
  const PackageEntry& big = list.packages[0];
  EXPECT_EQ(big.attr.size(), NixDriver::kMaxAttrBytes);
  EXPECT_EQ(big.name.size(), NixDriver::kMaxNameBytes);
  EXPECT_EQ(big.version.size(), NixDriver::kMaxVersionBytes);
  EXPECT_EQ(big.description, "caf\xC3\xA9");
  const PackageEntry& odd = list.packages[1];
  EXPECT_EQ(odd.attr, "odd");
  EXPECT_EQ(odd.name, "") << "strings only";
  EXPECT_EQ(odd.version, "");
  EXPECT_EQ(odd.description.substr(0, 8), "ab[31mc ") << "no control characters";
  EXPECT_EQ(odd.description.size(), NixDriver::kMaxDescriptionBytes);
}

TEST(PackageListTest, AtMostMaxPackages) {
  std::string json = R"({"packages":[)";
  for (std::size_t i = 0; i < NixDriver::kMaxPackages + 5; ++i)
    json += (i ? "," : "") + std::string(R"({"attr":"p)") + std::to_string(i) + R"("})";
  json += R"(],"truncated":false})";
  auto list = NixDriver::parsePackageList(json);
  EXPECT_EQ(list.packages.size(), NixDriver::kMaxPackages);
  EXPECT_TRUE(list.truncated);
}

TEST(PackageListTest, MalformedAnswersThrow) {
  for (const std::string bad : {"", "[]", "{}", R"({"packages":{}})", "{\"packages\":["})
    EXPECT_ANY_THROW(NixDriver::parsePackageList(bad)) << bad;
}

TEST(NixVersion, TheMinimumANixpkgsRevisionAsksFor) {
  EXPECT_EQ(NixDriver::requiredNixVersion(
                "error: evaluation aborted with the following error message: 'This version of "
                "Nixpkgs requires Nix >= 2.18, please upgrade:\n"),
            "2.18");
  EXPECT_EQ(NixDriver::requiredNixVersion("requires Nix >= 2.3.15\n"), "2.3.15");
  EXPECT_EQ(NixDriver::requiredNixVersion("requires Nix >= 2.18."), "2.18");
  EXPECT_EQ(NixDriver::requiredNixVersion("error: attribute 'hello' missing"), "");
  EXPECT_EQ(NixDriver::requiredNixVersion("requires Nix >= <script>"), "");
  EXPECT_EQ(NixDriver::requiredNixVersion("requires Nix >= "), "");
}

/// A folder standing in for nix.binDir, whose nix-instantiate prints `out`.
std::string fakeBinDir(const std::string& out) {
  std::string dir = ::testing::TempDir() + "strata-nix-bin-" + std::to_string(::getpid()) + "-" +
                    std::to_string(std::hash<std::string>{}(out));
  std::filesystem::create_directories(dir);
  for (const char* name : {"nix-build", "nix-instantiate"}) {
    std::ofstream f(dir + "/" + name);
    f << "#!/bin/sh\nprintf '%s\\n' '" << out << "'\n";
    f.close();
    std::filesystem::permissions(dir + "/" + name, std::filesystem::perms::owner_all);
  }
  return dir;
}

TEST(NixVersion, ReadFromTheNixInBinDir) {
  NixConfig c;
  c.binDir = fakeBinDir("nix-instantiate (Nix) 2.26.3");
  EXPECT_EQ(NixDriver(c).version(), "2.26.3");
  c.binDir = fakeBinDir("something else entirely <b>");
  EXPECT_EQ(NixDriver(c).version(), "unknown") << "output that is not a version is not shown";
}

TEST(NixVersion, ABinDirWithoutNixStopsStartUp) {
  NixConfig c;
  c.binDir = ::testing::TempDir();
  EXPECT_THROW(NixDriver{c}, std::runtime_error);
}

}  // namespace
}  // namespace strata
