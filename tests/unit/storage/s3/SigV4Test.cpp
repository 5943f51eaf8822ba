#include "storage/s3/SigV4.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <sstream>

#include "../../support/TestSupport.h"

namespace strata::s3 {
namespace {

// Known answers from AWS's own signer: botocore (Debian's python3-botocore)
// signs the same requests (tests/tools/sigv4_reference.py), and Strata's
// signer must give the same Authorization headers and presigned URLs.

constexpr std::time_t kNow = 1796294148;  // 2026-12-03T10:35:48Z
const Credentials kCreds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"};

struct Case {
  std::string scheme;
  SignedRequest request;
  std::string region;
  std::string body;
  int expires = 0;  ///< presign when > 0
};

std::string urlOf(const Case& c) {
  std::string url = c.scheme + "://" + c.request.host + c.request.path;
  for (std::size_t i = 0; i < c.request.query.size(); ++i)
    url += (i == 0 ? "?" : "&") + uriEncode(c.request.query[i].first) + "=" +
           uriEncode(c.request.query[i].second);
  return url;
}

/// botocore's answers, one JSON object per case.
std::vector<Poco::JSON::Object::Ptr> reference(const std::vector<Case>& cases) {
  Poco::JSON::Array input;
  for (const auto& c : cases) {
    Poco::JSON::Object o;
    o.set("method", c.request.method);
    o.set("url", urlOf(c));
    o.set("body", c.body);
    o.set("time", amzDate(kNow));
    o.set("region", c.region);
    o.set("accessKeyId", kCreds.accessKeyId);
    o.set("secretAccessKey", kCreds.secretAccessKey);
    Poco::JSON::Object headers;
    for (const auto& [k, v] : c.request.headers) headers.set(k, v);
    o.set("headers", headers);
    if (c.expires > 0) o.set("expires", c.expires);
    input.add(o);
  }
  test::TempDir dir;
  std::ostringstream json;
  input.stringify(json);
  test::writeFile(dir / "cases.json", json.str());
  auto r = test::runShell(
      "/usr/bin/python3 " +
      test::shellQuote(std::string(STRATA_SOURCE_DIR) + "/tests/tools/sigv4_reference.py") + " < " +
      test::shellQuote(dir / "cases.json"));
  EXPECT_EQ(r.status, 0) << "botocore is needed (python3-botocore): " << r.out;
  std::vector<Poco::JSON::Object::Ptr> out;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);)
    out.push_back(Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>());
  return out;
}

std::string headerOf(const Pairs& headers, const std::string& name) {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return "";
}

TEST(SigV4, HeaderSignaturesMatchBotocore) {
  std::vector<Case> cases = {
      // GET of an object, path style, no body
      {"http", {"GET", "127.0.0.1:9000", "/strata/sha256/ab", {}, {}, ""}, "us-east-1", ""},
      // PUT of a part, with a body and a query
      {"http",
       {"PUT",
        "s3.example.com",
        "/strata/a%20b/%C3%BC.txt",
        {{"partNumber", "2"}, {"uploadId", "x+y/z="}},
        {},
        ""},
       "eu-central-1",
       "hello, world"},
      // listing with awkward characters, virtual-hosted style, another header
      {"https",
       {"GET",
        "strata.s3.example.com:8443",
        "/",
        {{"list-type", "2"}, {"prefix", "team a/sha256/"}, {"continuation-token", "1/2+3=="}},
        {{"x-amz-meta-note", "  two   spaces "}},
        ""},
       "us-west-2",
       ""},
      // starting a multipart upload: "uploads" has no value
      {"http", {"POST", "127.0.0.1:9000", "/strata/k", {{"uploads", ""}}, {}, ""}, "us-east-1", ""},
  };
  for (auto& c : cases) c.request.payloadHash = sha256Hex(c.body);
  auto expected = reference(cases);
  ASSERT_EQ(expected.size(), cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(urlOf(cases[i]));
    Pairs signedHeaders = signHeaders(cases[i].request, kCreds, cases[i].region, kNow);
    EXPECT_EQ(headerOf(signedHeaders, "Authorization"),
              expected[i]->getValue<std::string>("authorization"));
    EXPECT_EQ(headerOf(signedHeaders, "X-Amz-Content-SHA256"),
              expected[i]->getValue<std::string>("contentSha256"));
    EXPECT_EQ(headerOf(signedHeaders, "X-Amz-Date"), "20261203T103548Z");
  }
}

TEST(SigV4, PresignedUrlsMatchBotocore) {
  std::vector<Case> cases = {
      {"http", {"GET", "127.0.0.1:9000", "/strata/sha256/ab", {}, {}, ""}, "us-east-1", "", 300},
      {"https",
       {"GET", "strata.s3.eu-west-1.amazonaws.com", "/team%2Fa/sha256/cd", {}, {}, ""},
       "eu-west-1",
       "",
       604800},
  };
  auto expected = reference(cases);
  ASSERT_EQ(expected.size(), cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(urlOf(cases[i]));
    EXPECT_EQ(presignUrl(cases[i].scheme, cases[i].request, kCreds, cases[i].region, kNow,
                         cases[i].expires),
              expected[i]->getValue<std::string>("url"));
  }
}

TEST(SigV4, UriEncodingFollowsRfc3986) {
  EXPECT_EQ(uriEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(uriEncode("a b/c+d=e"), "a%20b%2Fc%2Bd%3De");
  EXPECT_EQ(uriEncode("a b/c", /*encodeSlash=*/false), "a%20b/c");
  EXPECT_EQ(uriEncode("\xc3\xbc"), "%C3%BC");
}

}  // namespace
}  // namespace strata::s3
