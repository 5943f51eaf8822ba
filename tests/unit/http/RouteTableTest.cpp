#include "http/RouteTable.h"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>

#include "http/Router.h"
#include "http/Routes.h"
#include "util/Error.h"

namespace strata {
namespace {

// The registry paths as the server's route table routes them: the cases of
// the hand-written /v2/ parser the table replaced, and more.

const std::string kDigest = "sha256:" + std::string(64, 'e');

/// Expects `path` to reach route `route` (nullptr: no route but the 404 of
/// its area, or none at all for a malformed path) with the given name and
/// reference parameters.
void expectPath(const std::string& path, const char* route, const std::string& name = "",
                const std::string& reference = "") {
  SCOPED_TRACE(path);
  Dispatch d = dispatch(serverRoutes(), "GET", path);
  if (route == nullptr) {
    EXPECT_TRUE(d.handler == nullptr || std::string(d.routeName) == "unknown")
        << "routed to " << d.routeName;
    return;
  }
  ASSERT_NE(d.handler, nullptr) << d.refusalMessage;
  EXPECT_STREQ(d.routeName, route);
  EXPECT_EQ(d.params.count("name") ? d.params.at("name") : "", name);
  std::string ref = d.params.count("reference") ? d.params.at("reference")
                    : d.params.count("digest")  ? d.params.at("digest")
                                                : "";
  EXPECT_EQ(ref, reference);
}

TEST(RegistryRoutes, Base) {
  expectPath("/v2", "base");
  expectPath("/v2/", "base");
}

TEST(RegistryRoutes, Catalog) {
  expectPath("/v2/_catalog", "catalog");
  expectPath("/v2/_catalog/", nullptr);
}

TEST(RegistryRoutes, Tags) {
  expectPath("/v2/hello/tags/list", "tags", "hello");
  expectPath("/v2/demo/shell/hello/tags/list", "tags", "demo/shell/hello");
  expectPath("/v2/tags/list", nullptr);  // no name
  expectPath("/v2/hello/tags/list/", nullptr);
}

TEST(RegistryRoutes, ManifestsByTagAndDigest) {
  expectPath("/v2/hello/manifests/latest", "manifest", "hello", "latest");
  expectPath("/v2/demo/shell/hello/manifests/release-7", "manifest", "demo/shell/hello",
             "release-7");
  expectPath("/v2/demo/hello/manifests/" + kDigest, "manifest", "demo/hello", kDigest);
}

TEST(RegistryRoutes, Blobs) {
  expectPath("/v2/demo/hello/blobs/" + kDigest, "blob", "demo/hello", kDigest);
}

TEST(RegistryRoutes, Uploads) {
  expectPath("/v2/demo/hello/blobs/uploads/", "push", "demo/hello");
  expectPath("/v2/demo/hello/blobs/uploads", "push", "demo/hello");
  expectPath("/v2/demo/hello/blobs/uploads/1234-abcd", "push", "demo/hello");
  expectPath("/v2/blobs/blobs/uploads/", "push", "blobs");
}

TEST(RegistryRoutes, NamesMayContainRouteKeywords) {
  expectPath("/v2/manifests/x/manifests/latest", "manifest", "manifests/x", "latest");
  expectPath("/v2/blobs/manifests/latest", "manifest", "blobs", "latest");
  expectPath("/v2/a/blobs/manifests/latest", "manifest", "a/blobs", "latest");
  expectPath("/v2/a/manifests/blobs/" + kDigest, "blob", "a/manifests", kDigest);
  expectPath("/v2/manifests/blobs/" + kDigest, "blob", "manifests", kDigest);
  expectPath("/v2/tags/list/manifests/v1", "manifest", "tags/list", "v1");
  expectPath("/v2/uploads/blobs/" + kDigest, "blob", "uploads", kDigest);
  expectPath("/v2/_catalog/manifests/latest", "manifest", "_catalog", "latest");
  // Found by tests/fuzz/fuzz_image_name: "blobs/uploads" inside a name is no
  // upload (the push route takes one segment after it, the upload's id).
  expectPath("/v2/acme/blobs/uploads/manifests/latest", "manifest", "acme/blobs/uploads", "latest");
  expectPath("/v2/a/blobs/uploads/x/blobs/" + kDigest, "blob", "a/blobs/uploads/x", kDigest);
}

TEST(RegistryRoutes, ReferencesWithSlashesStillRouteToTheEndpoint) {
  // The handler rejects the reference (TAG_INVALID, DIGEST_INVALID).
  expectPath("/v2/hello/manifests/a/b", "manifest", "hello", "a/b");
  expectPath("/v2/demo/hello/blobs/sha256:../../etc/passwd", "blob", "demo/hello",
             "sha256:../../etc/passwd");
}

TEST(RegistryRoutes, EncodedSlashesStayInsideTheirSegment) {
  // A percent-encoded '/' belongs to the reference: the handler rejects it
  // (TAG_INVALID, DIGEST_INVALID) rather than the router.
  expectPath("/v2/hello/manifests/a%2Fb", "manifest", "hello", "a/b");
  expectPath("/v2/demo/hello/blobs/sha256:..%2F..%2Fetc%2Fpasswd", "blob", "demo/hello",
             "sha256:../../etc/passwd");
  expectPath("/v2/demo/hello/blobs/sha256%3A..%2Fx", "blob", "demo/hello", "sha256:../x");
  // In a name it is a separator like any other: the name checks catch it.
  expectPath("/v2/fx/..%2fhello/manifests/latest", "manifest", "fx/../hello", "latest");
  // Empty components reach the name check too (400 NAME_INVALID), as long
  // as some name is left.
  expectPath("/v2/fx//hello/manifests/latest", "manifest", "fx//hello", "latest");
  expectPath("/v2/fx/hello//manifests/latest", "manifest", "fx/hello/", "latest");
}

TEST(RegistryRoutes, Unknown) {
  expectPath("", nullptr);
  expectPath("/v1/hello/manifests/latest", nullptr);
  expectPath("/v2x", nullptr);
  expectPath("/v2hello/manifests/latest", nullptr);
  expectPath("/v2/hello", nullptr);
  expectPath("/v2/hello/manifests/", nullptr);
  expectPath("/v2/hello/manifests", nullptr);
  expectPath("/v2//manifests/latest", nullptr);
  expectPath("/v2/manifests/latest", nullptr);
  expectPath("/v2/blobs/" + kDigest, nullptr);
  expectPath("/v2/hello/blobs/", nullptr);
  expectPath("/v2/hello/something/else", nullptr);
}

// --- methods, refusals and access rules ------------------------------------------------

TEST(Router, HeadIsServedByGetRoutes) {
  Dispatch d = dispatch(serverRoutes(), "HEAD", "/v2/demo/hello/manifests/latest");
  EXPECT_STREQ(d.routeName, "manifest");
  EXPECT_NE(d.handler, nullptr);
  EXPECT_EQ(dispatch(serverRoutes(), "HEAD", "/healthz").routeName, std::string("healthz"));
}

TEST(Router, PushIsRefusedAfterTheRegistryCheck) {
  for (const char* method : {"PUT", "POST", "PATCH", "DELETE"}) {
    SCOPED_TRACE(method);
    for (const std::string& path : std::vector<std::string>{"/v2/demo/hello/manifests/latest",
                                                            "/v2/demo/hello/blobs/" + kDigest,
                                                            "/v2/demo/hello/blobs/uploads/"}) {
      Dispatch d = dispatch(serverRoutes(), method, path);
      EXPECT_STREQ(d.routeName, "push") << path;
      EXPECT_EQ(d.access.requirement, Requirement::Registry) << path;
    }
  }
  // Uploads are refused whatever the method.
  EXPECT_STREQ(dispatch(serverRoutes(), "GET", "/v2/a/blobs/uploads/x").routeName, "push");
}

TEST(Router, WrongMethodIs405) {
  // Outside /v2/: with the route's own access rule.
  Dispatch d = dispatch(serverRoutes(), "DELETE", "/api/v1/builds");
  EXPECT_EQ(d.handler, nullptr);
  EXPECT_EQ(d.refusal, ErrorKind::Unsupported);
  EXPECT_EQ(d.access.requirement, Requirement::Admin);
  EXPECT_NE(d.refusalMessage.find("DELETE"), std::string::npos);
  d = dispatch(serverRoutes(), "POST", "/healthz");
  EXPECT_EQ(d.refusal, ErrorKind::Unsupported);
  EXPECT_EQ(d.access.requirement, Requirement::Open);
  d = dispatch(serverRoutes(), "PUT", "/api/v1/users");
  EXPECT_EQ(d.refusal, ErrorKind::Unsupported);
  EXPECT_EQ(d.access.requirement, Requirement::Admin);
  // Under /v2/: any authenticated caller learns it (401 before 405).
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"DELETE", "/v2/"},
           {"OPTIONS", "/v2/demo/hello/manifests/latest"},
           {"TRACE", "/v2/demo/hello/blobs/" + kDigest},
           {"POST", "/v2/demo/hello/tags/list"},
           {"PUT", "/v2/_catalog"}}) {
    d = dispatch(serverRoutes(), method, path);
    EXPECT_EQ(d.refusal, ErrorKind::Unsupported) << method << " " << path;
    EXPECT_EQ(d.access.requirement, Requirement::Registry) << method << " " << path;
  }
}

TEST(Router, UnknownPathsGoToTheFallbackOfTheirArea) {
  auto expectFallback = [](const std::string& method, const std::string& path, Requirement r) {
    Dispatch d = dispatch(serverRoutes(), method, path);
    EXPECT_STREQ(d.routeName, "unknown") << method << " " << path;
    EXPECT_EQ(d.access.requirement, r) << method << " " << path;
  };
  // Under /v2/ a caller is needed first (distribution: 401 before 404).
  expectFallback("GET", "/v2/hello/something/else", Requirement::Registry);
  expectFallback("POST", "/v2/hello/something/else", Requirement::Registry);
  // The admin API's resources: its rule.
  expectFallback("GET", "/api/v1/users/joe", Requirement::Admin);
  expectFallback("DELETE", "/api/v1/grants/x/y", Requirement::Admin);
  expectFallback("GET", "/api/v1/teams/ops", Requirement::Admin);
  expectFallback("GET", "/api/v1/audit/1", Requirement::Admin);
  // Elsewhere anyone may learn that a path does not exist.
  expectFallback("GET", "/nothing/here", Requirement::Open);
  expectFallback("GET", "/api/v1/nothing", Requirement::Open);
  expectFallback("GET", "/ui/app.js/x", Requirement::Open);
  // The query or fragment of an absolute URI is not its path: these are the
  // page at "/".
  for (const char* uri : {"http://h?x=/api/v1/users", "http://h#/v2/"}) {
    Dispatch d = dispatch(serverRoutes(), "GET", uri);
    EXPECT_STREQ(d.routeName, "web") << uri;
    EXPECT_EQ(d.access.requirement, Requirement::Open) << uri;
  }
}

TEST(Router, MatchingIsLinearInTheNumberOfSegments) {
  // 30,000 segments take milliseconds: a {name...} is joined once, not once
  // per candidate length (quadratic: billions of bytes copied per request).
  // The bound only catches that kind of regression.
  std::string path = "/v2";
  for (int i = 0; i < 30000; ++i) path += "/a";
  auto start = std::chrono::steady_clock::now();
  for (const char* suffix : {"/manifests/latest", "/blobs/uploads/x", "/tags/list", "/x/y"}) {
    Dispatch d = dispatch(serverRoutes(), "GET", path + suffix);
    EXPECT_NE(d.handler, nullptr) << suffix;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(Router, MalformedUrisAreBadRequestsForEveryone) {
  for (const std::string& uri :
       std::vector<std::string>{"", "/v2/%zz/manifests/latest", "/v2/a%/tags/list", "v2/x"}) {
    SCOPED_TRACE(uri);
    Dispatch d = dispatch(serverRoutes(), "GET", uri);
    EXPECT_EQ(d.handler, nullptr);
    EXPECT_EQ(d.refusal, ErrorKind::BadRequest);
    EXPECT_EQ(d.access.requirement, Requirement::Open);
  }
}

TEST(Router, AbsoluteFormAndQueries) {
  Dispatch d = dispatch(serverRoutes(), "GET", "http://registry:5000/v2/_catalog?n=5&last=a%2Fb");
  EXPECT_STREQ(d.routeName, "catalog");
  ASSERT_EQ(d.target.query.size(), 2u);
  EXPECT_EQ(d.target.query[0], std::make_pair(std::string("n"), std::string("5")));
  EXPECT_EQ(d.target.query[1], std::make_pair(std::string("last"), std::string("a/b")));
  d = dispatch(serverRoutes(), "GET", "/api/v1/audit?kind=a+b&flag&&empty=&x=%41#frag");
  using Q = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(d.target.query, (Q{{"kind", "a+b"}, {"flag", ""}, {"empty", ""}, {"x", "A"}}));
  EXPECT_EQ(d.target.path, "/api/v1/audit");
  EXPECT_EQ(dispatch(serverRoutes(), "GET", "/a%41b").target.segments,
            std::vector<std::string>{"aAb"});
  EXPECT_EQ(dispatch(serverRoutes(), "GET", "/v2/?n=%zz").refusal, ErrorKind::BadRequest);
}

TEST(Router, EveryRouteHasTheAccessRuleOfItsKind) {
  auto requirementOf = [](const std::string& method, const std::string& path) {
    Dispatch d = dispatch(serverRoutes(), method, path);
    EXPECT_NE(d.handler, nullptr) << method << " " << path;
    return d.access.requirement;
  };
  EXPECT_EQ(requirementOf("GET", "/v2/"), Requirement::Registry);
  EXPECT_EQ(requirementOf("GET", "/v2/_catalog"), Requirement::Catalog);
  EXPECT_EQ(requirementOf("GET", "/v2/a/b/tags/list"), Requirement::Pull);
  EXPECT_EQ(requirementOf("GET", "/v2/a/b/manifests/x"), Requirement::Pull);
  EXPECT_EQ(requirementOf("GET", "/v2/a/b/blobs/" + kDigest), Requirement::Pull);
  EXPECT_EQ(requirementOf("GET", "/api/v1/images/a/b:v1/pin"), Requirement::Pull);
  for (const char* open :
       {"/healthz", "/readyz", "/metrics", "/token", "/api/v1/plugins", "/", "/ui/app.js"})
    EXPECT_EQ(requirementOf("GET", open), Requirement::Open) << open;
  // Open, but credentials sent are checked: they say what the caller may see.
  for (const char* identify : {"/api/v1/sources", "/api/v1/me"})
    EXPECT_EQ(requirementOf("GET", identify), Requirement::Identify) << identify;
  EXPECT_EQ(requirementOf("POST", "/token"), Requirement::Open);
  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/api/v1/builds"},
                                                        {"POST", "/api/v1/builds"},
                                                        {"GET", "/api/v1/builds/0123"},
                                                        {"GET", "/api/v1/users"},
                                                        {"POST", "/api/v1/users"},
                                                        {"GET", "/api/v1/users/joe/tokens"},
                                                        {"POST", "/api/v1/users/joe/tokens"},
                                                        {"DELETE", "/api/v1/users/joe/tokens/ci"},
                                                        {"GET", "/api/v1/teams"},
                                                        {"POST", "/api/v1/teams"},
                                                        {"POST", "/api/v1/teams/ops/members"},
                                                        {"DELETE", "/api/v1/teams/ops/members/joe"},
                                                        {"GET", "/api/v1/grants"},
                                                        {"POST", "/api/v1/grants"},
                                                        {"DELETE", "/api/v1/grants"},
                                                        {"GET", "/api/v1/audit"}})
    EXPECT_EQ(requirementOf(method, path), Requirement::Admin) << method << " " << path;
}

TEST(Router, ThePinRouteChecksTheNameWithoutItsTag) {
  Dispatch d = dispatch(serverRoutes(), "GET", "/api/v1/images/demo/shell/hello:v1/pin");
  EXPECT_STREQ(d.routeName, "pin");
  EXPECT_EQ(d.params.at("image"), "demo/shell/hello:v1");
  EXPECT_TRUE(d.access.nameHasTag);
  EXPECT_STREQ(d.access.nameParam, "image");
}

// --- patterns ---------------------------------------------------------------------------

void noop(Exchange&) {}

TEST(RouteTable, FirstMatchingRouteWinsAndParamsAreNamed) {
  RouteTable table({{{"GET"}, "/a/{x}", "one", noop, Access::anyone()},
                    {{"GET"}, "/a/{rest*}", "rest", noop, Access::anyone()},
                    {{"POST"}, "/b/{p...}/end", "many", noop, Access::anyone()}});
  auto m = table.find("GET", {"a", "1"});
  ASSERT_EQ(m.result, RouteTable::Match::Result::Found);
  EXPECT_STREQ(m.route->name, "one");
  EXPECT_EQ(m.params.at("x"), "1");
  m = table.find("GET", {"a", "1", "2"});
  EXPECT_STREQ(m.route->name, "rest");
  EXPECT_EQ(m.params.at("rest"), "1/2");
  m = table.find("GET", {"a"});
  EXPECT_STREQ(m.route->name, "rest");
  EXPECT_EQ(m.params.at("rest"), "");
  m = table.find("POST", {"b", "x", "end", "y", "end"});
  EXPECT_STREQ(m.route->name, "many");
  EXPECT_EQ(m.params.at("p"), "x/end/y");
  m = table.find("GET", {"b", "x", "end"});
  EXPECT_EQ(m.result, RouteTable::Match::Result::MethodNotAllowed);
  EXPECT_STREQ(m.route->name, "many");
  EXPECT_EQ(table.find("GET", {"c"}).result, RouteTable::Match::Result::NotFound);
}

TEST(RouteTable, MalformedPatternsAreRefused) {
  EXPECT_THROW(checkRoutePattern("v2/x"), std::invalid_argument);
  EXPECT_THROW(checkRoutePattern("/a/{p...}/{q...}"), std::invalid_argument);
  EXPECT_THROW(checkRoutePattern("/a/{rest*}/b"), std::invalid_argument);
  EXPECT_THROW(checkRoutePattern("/a/x{y}"), std::invalid_argument);
  EXPECT_NO_THROW(checkRoutePattern("/v2/{name...}/manifests/{reference}"));
}

}  // namespace
}  // namespace strata
