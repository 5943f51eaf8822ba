// Every handler through the server's own route table and RouteHandler, with
// an in-memory request and response instead of a socket.

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SocketAddress.h>
#include <gtest/gtest.h>

#include <sstream>

#include "../support/ServerFixture.h"
#include "http/RouteHandler.h"
#include "http/Router.h"
#include "http/Routes.h"
#include "image/Manifest.h"

namespace strata {
namespace {

using Poco::Net::HTTPResponse;

class FakeResponse : public Poco::Net::HTTPServerResponse {
 public:
  void sendContinue() override {}
  std::ostream& send() override {
    sent_ = true;
    return body;
  }
  void sendFile(const std::string&, const std::string&) override {
    throw std::logic_error("handlers do not send files themselves");
  }
  void sendBuffer(const void* data, std::size_t size) override {
    sent_ = true;
    body.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  void redirect(const std::string& uri, HTTPStatus status) override {
    setStatusAndReason(status);
    set("Location", uri);
    sent_ = true;
  }
  void requireAuthentication(const std::string&) override {}
  bool sent() const override { return sent_; }

  std::ostringstream body;

 private:
  bool sent_ = false;
};

class FakeRequest : public Poco::Net::HTTPServerRequest {
 public:
  FakeRequest(const std::string& method, const std::string& uri, FakeResponse& response,
              const std::string& body)
      : response_(response), in_(body), params_(new Poco::Net::HTTPServerParams) {
    setMethod(method);
    setURI(uri);
  }
  std::istream& stream() override { return in_; }
  const Poco::Net::SocketAddress& clientAddress() const override { return client_; }
  const Poco::Net::SocketAddress& serverAddress() const override { return server_; }
  const Poco::Net::HTTPServerParams& serverParams() const override { return *params_; }
  Poco::Net::HTTPServerResponse& response() const override { return response_; }
  bool secure() const override { return false; }

 private:
  FakeResponse& response_;
  std::istringstream in_;
  Poco::AutoPtr<Poco::Net::HTTPServerParams> params_;
  Poco::Net::SocketAddress client_{"10.2.3.4", 40000};
  Poco::Net::SocketAddress server_{"127.0.0.1", 5000};
};

struct Answer {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  Poco::JSON::Object::Ptr json() const {
    return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
  }
  std::string errorCode() const {
    return json()->getArray("errors")->getObject(0)->getValue<std::string>("code");
  }
};

Answer call(test::ServerFixture& fx, const std::string& method, const std::string& uri,
            const std::map<std::string, std::string>& headers = {}, const std::string& body = "") {
  FakeResponse response;
  FakeRequest request(method, uri, response, body);
  for (const auto& [k, v] : headers) request.set(k, v);
  RouteHandler handler(*fx.context, dispatch(serverRoutes(), method, uri));
  handler.handleRequest(request, response);
  Answer a;
  a.status = static_cast<int>(response.getStatus());
  for (const auto& [k, v] : response) a.headers[k] = v;
  a.body = response.body.str();
  return a;
}

class HandlersTest : public ::testing::Test {
 protected:
  test::ServerFixture fx;
};

TEST_F(HandlersTest, TheBaseRouteAndEveryAnswerCarryTheApiVersion) {
  Answer a = call(fx, "GET", "/v2/");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, "{}");
  EXPECT_EQ(a.header("Docker-Distribution-API-Version"), "registry/2.0");
  EXPECT_EQ(a.header("Content-Type"), "application/json");
  Answer missing = call(fx, "GET", "/v2/fx/hello/nothing");
  EXPECT_EQ(missing.header("Docker-Distribution-API-Version"), "registry/2.0");
  EXPECT_NE(fx.metrics.render().find("strata_http_responses_total{code=\"404\"} 1"),
            std::string::npos);
}

TEST_F(HandlersTest, ManifestsByTagAndDigestWithHead) {
  ImageRecord image = fx.seed("fx/hello");
  Answer a = call(fx, "GET", "/v2/fx/hello/manifests/latest", {{"Accept", media::kOciManifest}});
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.header("Docker-Content-Digest"), image.ociDigest);
  EXPECT_EQ(a.header("Content-Type"), media::kOciManifest);
  EXPECT_EQ(a.header("ETag"), "\"" + image.ociDigest + "\"");
  EXPECT_EQ(std::stoul(a.header("Content-Length")), a.body.size());
  EXPECT_EQ(Digest::ofBytes(a.body).str(), image.ociDigest);

  Answer head = call(fx, "HEAD", "/v2/fx/hello/manifests/" + image.dockerDigest);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("Content-Type"), media::kDockerManifest);
  EXPECT_EQ(head.body, "") << "HEAD has no body";
  EXPECT_EQ(std::stoul(head.header("Content-Length")), image.dockerSize);
}

TEST_F(HandlersTest, ErrorsAreDistributionJson) {
  Answer a = call(fx, "GET", "/v2/fx/Hello/manifests/latest");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.errorCode(), "NAME_INVALID");
  a = call(fx, "GET", "/v2/fx/hello/manifests/a%2Fb");
  EXPECT_EQ(a.errorCode(), "TAG_INVALID");
  a = call(fx, "PUT", "/v2/fx/hello/manifests/latest");
  EXPECT_EQ(a.status, 405);
  EXPECT_EQ(a.errorCode(), "UNSUPPORTED");
  a = call(fx, "GET", "/nothing");
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(a.errorCode(), "NAME_UNKNOWN");
  EXPECT_NE(
      a.json()->getArray("errors")->getObject(0)->getValue<std::string>("message").find("/nothing"),
      std::string::npos);
  EXPECT_EQ(call(fx, "GET", "/v2/fx/hello/nothing").errorCode(), "NAME_UNKNOWN");
  EXPECT_EQ(call(fx, "POST", "/v2/fx/hello/nothing").status, 405);
  EXPECT_EQ(call(fx, "OPTIONS", "/v2/fx/hello/manifests/latest").status, 405);
  EXPECT_EQ(call(fx, "DELETE", "/healthz").status, 405);
  a = call(fx, "GET", "/v2/fx/hello/manifests/a/b");
  EXPECT_EQ(a.errorCode(), "TAG_INVALID") << "a real '/' in a reference";
  a = call(fx, "GET", "/v2/%zz/tags/list");
  EXPECT_EQ(a.status, 400);
  a = call(fx, "HEAD", "/v2/fx/hello/manifests/-rf");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body, "") << "no error body for HEAD";
}

TEST_F(HandlersTest, ReadinessFollowsTheCheck) {
  EXPECT_EQ(call(fx, "GET", "/readyz").status, 200);
  std::string problem = "database";
  fx.context->notReady = [&problem] { return problem; };
  auto a = call(fx, "GET", "/readyz");
  EXPECT_EQ(a.status, 503);
  EXPECT_EQ(a.json()->getValue<std::string>("failing"), "database");
  EXPECT_EQ(call(fx, "GET", "/healthz").status, 200) << "alive all the same";
  problem.clear();
  EXPECT_EQ(call(fx, "GET", "/readyz").status, 200);
}

TEST_F(HandlersTest, BlobsWithRanges) {
  ImageRecord image = fx.seed("fx/hello");
  call(fx, "GET", "/v2/fx/hello/manifests/latest");
  std::string config = fx.blobs->read(*Digest::parse(image.configDigest));
  std::string uri = "/v2/fx/hello/blobs/" + image.configDigest;

  Answer whole = call(fx, "GET", uri);
  EXPECT_EQ(whole.status, 200);
  EXPECT_EQ(whole.body, config);
  EXPECT_EQ(whole.header("Accept-Ranges"), "bytes");
  EXPECT_EQ(whole.header("Docker-Content-Digest"), image.configDigest);
  EXPECT_EQ(whole.header("Cache-Control"), "max-age=31536000, immutable");

  Answer part = call(fx, "GET", uri, {{"Range", "bytes=2-9"}});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, config.substr(2, 8));
  EXPECT_EQ(part.header("Content-Range"), "bytes 2-9/" + std::to_string(config.size()));

  Answer bad = call(fx, "GET", uri, {{"Range", "bytes=999999-"}});
  EXPECT_EQ(bad.status, 416);
  EXPECT_EQ(bad.header("Content-Range"), "bytes */" + std::to_string(config.size()));

  Answer head = call(fx, "HEAD", uri);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(std::stoul(head.header("Content-Length")), config.size());
  EXPECT_EQ(head.body, "");
  EXPECT_NE(fx.metrics.render().find("strata_bytes_served_total{kind=\"blob\"} " +
                                     std::to_string(config.size() + 8)),
            std::string::npos);
}

TEST_F(HandlersTest, ReferrersAreAnIndexAndSayWhenTheyWereFiltered) {
  ImageRecord image = fx.seed("fx/hello");
  call(fx, "GET", "/v2/fx/hello/manifests/latest");
  std::string uri = "/v2/fx/hello/referrers/" + image.ociDigest;
  Answer all = call(fx, "GET", uri);
  EXPECT_EQ(all.status, 200);
  EXPECT_EQ(all.header("Content-Type"), "application/vnd.oci.image.index.v1+json");
  EXPECT_EQ(all.header("OCI-Filters-Applied"), "");
  auto entry = all.json()->getArray("manifests")->getObject(0);
  EXPECT_EQ(entry->getValue<std::string>("artifactType"), "application/vnd.cyclonedx+json");
  Answer filtered = call(fx, "GET", uri + "?artifactType=application/spdx%2Bjson");
  EXPECT_EQ(filtered.header("OCI-Filters-Applied"), "artifactType");
  EXPECT_EQ(filtered.json()->getArray("manifests")->size(), 0u);
  EXPECT_EQ(call(fx, "GET", "/v2/fx/hello/referrers/latest").errorCode(), "DIGEST_INVALID");
  Answer artifact =
      call(fx, "GET", "/v2/fx/hello/manifests/" + entry->getValue<std::string>("digest"));
  EXPECT_EQ(artifact.status, 200);
  EXPECT_EQ(artifact.header("Content-Type"), "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(artifact.json()->getObject("subject")->getValue<std::string>("digest"),
            image.ociDigest);
  EXPECT_EQ(call(fx, "HEAD", uri).status, 200);
}

TEST_F(HandlersTest, AmbiguousFramingIsRefusedAndEndsTheConnection) {
  // Each as a client (or a smuggler behind a proxy) could send it.
  auto send = [&](const std::string& method, const std::string& uri,
                  const std::vector<std::pair<std::string, std::string>>& headers) {
    FakeResponse response;
    FakeRequest request(method, uri, response, "");
    for (const auto& [k, v] : headers) request.add(k, v);
    RouteHandler handler(*fx.context, dispatch(serverRoutes(), method, uri));
    handler.handleRequest(request, response);
    return std::make_pair(static_cast<int>(response.getStatus()), response.getKeepAlive());
  };
  using Headers = std::vector<std::pair<std::string, std::string>>;
  for (const auto& [method, headers] : std::vector<std::pair<std::string, Headers>>{
           {"GET", {{"Content-Length", "5"}}},
           {"HEAD", {{"Transfer-Encoding", "chunked"}}},
           {"GET", {{"Content-Length", "0"}, {"Content-Length", "40"}}},
           {"POST", {{"Content-Length", "4"}, {"Transfer-Encoding", "chunked"}}},
           {"POST", {{"Transfer-Encoding", "gzip, chunked"}}},
           {"POST", {{"Content-Length", "-1"}}},
           {"POST", {{"Content-Length", "1234567890123456"}}},
       }) {
    auto [status, keepAlive] = send(method, "/v2/", headers);
    EXPECT_EQ(status, 400) << method << " " << headers.front().first;
    EXPECT_FALSE(keepAlive) << method << " " << headers.front().first;
  }
  auto [status, keepAlive] = send("GET", "/v2/", {{"Content-Length", "0"}});
  EXPECT_EQ(status, 200) << "an empty body is no body";
}

/// A store that presigns, as an S3 store with `redirect` does.
class PresigningStore : public FilesystemBlobStore {
 public:
  using FilesystemBlobStore::FilesystemBlobStore;
  std::optional<std::string> redirectUrl(const Digest& digest) const override {
    return "https://bucket.example/blobs/" + digest.hex() + "?X-Amz-Signature=x";
  }
};

TEST(HandlersWithAPresigningStore, BlobGetsRedirectAndHeadIsAnswered) {
  test::ServerFixture fx({}, nullptr, [](const Config& c) -> std::unique_ptr<BlobStore> {
    return std::make_unique<PresigningStore>(c.storagePath);
  });
  ImageRecord image = fx.seed("fx/hello");
  call(fx, "GET", "/v2/fx/hello/manifests/latest");
  std::string uri = "/v2/fx/hello/blobs/" + image.configDigest;
  Answer get = call(fx, "GET", uri);
  EXPECT_EQ(get.status, 307);
  EXPECT_EQ(get.header("Location"), "https://bucket.example/blobs/" +
                                        Digest::parse(image.configDigest)->hex() +
                                        "?X-Amz-Signature=x");
  EXPECT_EQ(get.header("Docker-Content-Digest"), image.configDigest);
  Answer head = call(fx, "HEAD", uri);
  EXPECT_EQ(head.status, 200) << "a presigned URL is for GET only";
  EXPECT_EQ(std::stoul(head.header("Content-Length")),
            fx.blobs->stat(*Digest::parse(image.configDigest))->size);
  EXPECT_EQ(call(fx, "GET", "/v2/fx/other/blobs/" + image.configDigest).status, 404)
      << "no redirect for a blob the name does not hold";
}

TEST_F(HandlersTest, ListsAreJsonWithLinksToTheNextPage) {
  ImageRecord image = fx.seed("fx/hello");
  for (const std::string& tag : {std::string("latest"), image.revision})
    call(fx, "GET", "/v2/fx/hello/manifests/" + tag);
  Answer tags = call(fx, "GET", "/v2/fx/hello/tags/list?n=1");
  EXPECT_EQ(tags.body, R"({"name":"fx/hello","tags":[")" + image.revision + R"("]})");
  EXPECT_EQ(tags.header("Link"),
            "</v2/fx/hello/tags/list?n=1&last=" + image.revision + ">; rel=\"next\"");
  Answer catalog = call(fx, "GET", "/v2/_catalog?n=0");
  EXPECT_EQ(catalog.body, R"({"repositories":[]})");
  EXPECT_EQ(catalog.header("Link"), "");
  catalog = call(fx, "GET", "/v2/_catalog?n=x");
  EXPECT_EQ(catalog.errorCode(), "PAGINATION_NUMBER_INVALID");
}

TEST_F(HandlersTest, SourceRefsAndPackageSearchErrors) {
  std::string revision = fx.revision();
  Answer refs = call(fx, "GET", "/api/v1/sources/fx/refs");
  EXPECT_EQ(refs.status, 200);
  EXPECT_EQ(refs.body, R"({"source":"fx","refs":[{"name":"latest","kind":"latest","revision":")" +
                           revision + R"(","tag":true},{"name":")" + revision +
                           R"(","kind":"revision","revision":")" + revision + R"(","tag":true}]})");
  EXPECT_EQ(call(fx, "GET", "/api/v1/sources/nosuch/refs").errorCode(), "NAME_UNKNOWN");
  Answer tooLong = call(fx, "GET", "/api/v1/sources/fx/packages?q=" + std::string(201, 'a'));
  EXPECT_EQ(tooLong.status, 400);
  EXPECT_EQ(call(fx, "GET", "/api/v1/sources/fx/packages?q=a%00b").status, 400);
  EXPECT_EQ(call(fx, "GET", "/api/v1/sources/fx/packages?n=x").errorCode(),
            "PAGINATION_NUMBER_INVALID");
  EXPECT_EQ(call(fx, "GET", "/api/v1/sources/fx/packages?ref=nope").errorCode(),
            "MANIFEST_UNKNOWN");
}

TEST_F(HandlersTest, OwnApiSourcesPluginsPinAndBuilds) {
  Answer sources = call(fx, "GET", "/api/v1/sources");
  auto source = sources.json()->getArray("sources")->getObject(0);
  EXPECT_EQ(source->getValue<std::string>("name"), "fx");
  EXPECT_EQ(source->getValue<std::string>("layering"), "closure");
  EXPECT_EQ(source->getValue<int>("maxLayers"), 94);
  EXPECT_EQ(source->getValue<std::string>("imageFormat"), "layers");
  EXPECT_EQ(source->getArray("platforms")->getElement<std::string>(0), "x86_64-linux");

  Answer plugins = call(fx, "GET", "/api/v1/plugins");
  auto builtIn = plugins.json()->getArray("plugins")->getObject(0);
  EXPECT_EQ(builtIn->getValue<std::string>("origin"), "built-in");
  EXPECT_EQ(builtIn->getArray("provides")->getObject(0)->getValue<std::string>("name"),
            "popularity");

  ImageRecord image = fx.seed("fx/hello", "latest");
  Answer pin = call(fx, "GET", "/api/v1/images/fx/hello:latest/pin");
  EXPECT_EQ(pin.status, 200);
  EXPECT_EQ(pin.json()->getValue<std::string>("pinnedName"), "fx/hello:" + image.revision);
  EXPECT_EQ(pin.json()->getValue<std::string>("byDigest"), "fx/hello@" + image.ociDigest);

  Answer started = call(fx, "POST", "/api/v1/builds", {}, R"({"image": "fx/hello:latest"})");
  EXPECT_EQ(started.status, 200) << started.body;
  EXPECT_EQ(started.json()->getValue<std::string>("state"), "cached");
  std::string id = started.json()->getValue<std::string>("id");
  EXPECT_EQ(started.header("Location"), "/api/v1/builds/" + id);
  Answer build = call(fx, "GET", "/api/v1/builds/" + id);
  EXPECT_EQ(build.json()->getValue<std::string>("digest"), image.ociDigest);
  EXPECT_TRUE(build.json()->has("log"));
  Answer list = call(fx, "GET", "/api/v1/builds?n=1");
  EXPECT_EQ(list.json()->getArray("builds")->size(), 1u);
  EXPECT_EQ(call(fx, "POST", "/api/v1/builds", {}, "not json").status, 400);
  EXPECT_EQ(call(fx, "GET", "/api/v1/builds/0000").status, 404);

  Answer metrics = call(fx, "GET", "/metrics");
  EXPECT_EQ(metrics.header("Content-Type"), "text/plain; version=0.0.4");
  EXPECT_NE(metrics.body.find("strata_http_responses_total"), std::string::npos);
}

TEST_F(HandlersTest, WithAuthOffTheTokenServiceAndAdminApiAreAbsent) {
  EXPECT_EQ(call(fx, "GET", "/token?service=strata").status, 404);
  EXPECT_EQ(call(fx, "GET", "/api/v1/users").status, 404);
  EXPECT_EQ(call(fx, "POST", "/token").status, 404);
}

class HandlersWithAuthTest : public ::testing::Test {
 protected:
  void SetUp() override { rootLogin = fx.addUser("root", "ops", "*", "*", "admin"); }
  std::map<std::string, std::string> asRoot() { return {{"Authorization", rootLogin}}; }
  test::ServerFixture fx{[](Config& c) {
    c.auth.enabled = true;
    c.publicUrl = "https://r.example";
  }};
  std::string rootLogin;
};

TEST_F(HandlersWithAuthTest, RegistryRoutesChallengeWithTheirScope) {
  Answer a = call(fx, "GET", "/v2/fx/hello/manifests/latest");
  EXPECT_EQ(a.status, 401);
  EXPECT_EQ(a.errorCode(), "UNAUTHORIZED");
  EXPECT_EQ(a.header("WWW-Authenticate"),
            "Bearer realm=\"https://r.example/token\",service=\"strata\",scope=\"repository:fx/"
            "hello:pull\"");
  // 401 before 405 and 404 under /v2/.
  EXPECT_EQ(call(fx, "PUT", "/v2/fx/hello/manifests/latest").status, 401);
  EXPECT_EQ(call(fx, "GET", "/v2/fx/hello/nothing").status, 401);
  // The admin API asks scripts for Basic credentials.
  Answer admin = call(fx, "GET", "/api/v1/users");
  EXPECT_EQ(admin.status, 401);
  EXPECT_EQ(admin.header("WWW-Authenticate"), "Basic realm=\"strata\"");
}

TEST_F(HandlersWithAuthTest, TheAdminApiAndTheTokenService) {
  Answer users = call(fx, "GET", "/api/v1/users", asRoot());
  EXPECT_EQ(users.status, 200) << users.body;
  EXPECT_EQ(users.json()->getArray("users")->getObject(0)->getValue<std::string>("name"), "root");

  Answer team = call(fx, "POST", "/api/v1/teams", asRoot(), R"({"name": "devs"})");
  EXPECT_EQ(team.status, 201);
  Answer member = call(fx, "POST", "/api/v1/teams/devs/members", asRoot(), R"({"user": "root"})");
  EXPECT_EQ(member.status, 201);
  EXPECT_EQ(member.json()->getValue<std::string>("status"), "added");
  Answer grant = call(fx, "POST", "/api/v1/grants", asRoot(),
                      R"({"team": "devs", "source": "fx", "packageGlob": "*", "action": "pull"})");
  EXPECT_EQ(grant.status, 201);
  Answer revoke =
      call(fx, "DELETE", "/api/v1/grants?team=devs&source=fx&packageGlob=*&action=pull", asRoot());
  EXPECT_EQ(revoke.json()->getValue<std::string>("status"), "revoked");
  Answer token = call(fx, "POST", "/api/v1/users/root/tokens", asRoot(), R"({"name": "ci"})");
  EXPECT_EQ(token.status, 201);
  EXPECT_EQ(token.header("Cache-Control"), "no-store");
  EXPECT_EQ(call(fx, "DELETE", "/api/v1/users/root/tokens/ci", asRoot()).status, 200);
  Answer audit = call(fx, "GET", "/api/v1/audit?kind=admin&limit=2", asRoot());
  auto entries = audit.json()->getArray("entries");
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ(entries->getObject(0)->getValue<std::string>("actor"), "root");
  EXPECT_EQ(entries->getObject(0)->getValue<std::string>("clientAddress"), "10.2.3.4");
  EXPECT_EQ(call(fx, "GET", "/api/v1/audit?limit=0", asRoot()).status, 400);

  Answer issued = call(fx, "GET", "/token?service=strata&scope=repository:fx/hello:pull", asRoot());
  EXPECT_EQ(issued.status, 200) << issued.body;
  EXPECT_EQ(issued.header("Cache-Control"), "no-store");
  std::string jwt = issued.json()->getValue<std::string>("token");
  Answer base = call(fx, "GET", "/v2/", {{"Authorization", "Bearer " + jwt}});
  EXPECT_EQ(base.status, 200);
  Answer other = call(fx, "GET", "/token?service=other", asRoot());
  EXPECT_EQ(other.status, 400);
  Answer noCreds = call(fx, "GET", "/token?service=strata");
  EXPECT_EQ(noCreds.status, 401);
  EXPECT_EQ(noCreds.header("WWW-Authenticate"), "Basic realm=\"strata\"");
}

}  // namespace
}  // namespace strata
